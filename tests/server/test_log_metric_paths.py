"""LogMetric takes a one-statement path on PostgreSQL when the run is active and the request id
is new, and the general path otherwise; both must give the same answers on both backends."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
from sqlalchemy import event
from trackd_server.domain.entities import Metric
from trackd_server.domain.errors import FailedPrecondition, NotFound
from trackd_server.service.tracking import TrackingServices
from trackd_server.store.sql.store import SqlStore


def test_points_and_latest_value(services: TrackingServices, run_id: str) -> None:
    for step, value in [(0, 1.0), (2, math.nan), (1, 0.5)]:  # the last one is out of order
        services.metrics.log(run_id, Metric("loss", value, 100 + step, step), uuid.uuid4().hex)
    services.metrics.log(run_id, Metric("loss", -math.inf, 50, 2))  # no request id; older
    points = services.metrics.history(run_id, "loss", 0, "").items
    assert [(p.step, p.timestamp) for p in points] == [(0, 100), (1, 101), (2, 50), (2, 102)]
    assert points[2].value == -math.inf and math.isnan(points[3].value)
    latest = {m.key: m for m in services.runs.get(run_id).data.metrics}["loss"]
    assert (latest.step, latest.timestamp) == (2, 102) and math.isnan(latest.value)


def test_missing_and_deleted_runs(services: TrackingServices, run_id: str) -> None:
    with pytest.raises(NotFound):
        services.metrics.log("0" * 32, Metric("loss", 1.0, 1, 0), uuid.uuid4().hex)
    services.runs.delete(run_id)
    with pytest.raises(FailedPrecondition) as caught:
        services.metrics.log(run_id, Metric("loss", 1.0, 1, 0), uuid.uuid4().hex)
    assert caught.value.reason == "RUN_DELETED"
    services.runs.restore(run_id)
    assert services.metrics.history(run_id, "loss", 0, "").items == []


def test_retry_after_the_run_was_deleted_gets_the_first_answer(
    services: TrackingServices, run_id: str
) -> None:
    request_id = uuid.uuid4().hex
    services.metrics.log(run_id, Metric("loss", 1.0, 1, 0), request_id)
    services.runs.delete(run_id)
    services.metrics.log(run_id, Metric("loss", 1.0, 1, 0), request_id)  # the reply was lost
    services.runs.restore(run_id)
    assert len(services.metrics.history(run_id, "loss", 0, "").items) == 1


def test_request_id_reused_for_another_point(services: TrackingServices, run_id: str) -> None:
    request_id = uuid.uuid4().hex
    services.metrics.log(run_id, Metric("loss", 1.0, 1, 0), request_id)
    with pytest.raises(FailedPrecondition) as caught:
        services.metrics.log(run_id, Metric("loss", 2.0, 1, 0), request_id)
    assert caught.value.reason == "REQUEST_ID_REUSED"
    assert [p.value for p in services.metrics.history(run_id, "loss", 0, "").items] == [1.0]


def test_postgresql_logs_a_new_point_in_one_statement(
    services: TrackingServices, store: SqlStore, run_id: str
) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        services.metrics.log(run_id, Metric("loss", 1.0, 1, 0), uuid.uuid4().hex)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    if store.dialect == "postgresql":
        assert len(statements) == 1, statements
    else:  # the general path: claim, run lock, insert, latest upsert
        assert len(statements) >= 4, statements


def test_batch_keeps_logging_order_among_equal_steps_and_times(
    services: TrackingServices, run_id: str
) -> None:
    values = [0.3, math.nan, -1.0, math.inf, 0.3, 7.0]
    points = [Metric("tied", v, 500, 4) for v in values] + [Metric("other", 1.0, 1, 0)]
    services.runs.log_batch(run_id, points, [], [], uuid.uuid4().hex)
    read = [p.value for p in services.metrics.history(run_id, "tied", 0, "").items]
    assert read[:1] + read[2:] == [0.3, -1.0, math.inf, 0.3, 7.0] and math.isnan(read[1])
    latest = {m.key: m for m in services.runs.get(run_id).data.metrics}
    assert latest["tied"].value == 7.0  # the last of the tied points is the latest
    assert latest["other"].value == 1.0
