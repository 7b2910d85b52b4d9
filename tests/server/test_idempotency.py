"""Request ids make retries safe: same id, same answer, no second write."""

from __future__ import annotations

import uuid

import pytest
from trackd_server.domain.entities import Metric, Param, Tag, ViewType
from trackd_server.domain.errors import FailedPrecondition, InvalidArgument
from trackd_server.service.tracking import TrackingServices


def test_create_run_retry_returns_first_run(services: TrackingServices, experiment_id: str) -> None:
    request_id = uuid.uuid4().hex
    first = services.runs.create(experiment_id, "once", 5, [Tag("a", "b")], "", "", request_id)
    again = services.runs.create(experiment_id, "once", 5, [Tag("a", "b")], "", "", request_id)
    assert again == first
    runs = services.runs.search([experiment_id], "", ViewType.ALL, [], 100, "").items
    assert [r.info.run_id for r in runs] == [first.info.run_id]  # no ghost run


def test_metric_retry_is_not_duplicated(services: TrackingServices, run_id: str) -> None:
    request_id = uuid.uuid4().hex
    for _ in range(3):
        services.metrics.log(run_id, Metric("loss", 0.5, 10, 1), request_id)
        services.runs.log_batch(run_id, [Metric("b", 1.0, 10, 1)] * 3, [], [], request_id + "-b")
    assert len(services.metrics.history(run_id, "loss", 0, "").items) == 1
    assert len(services.metrics.history(run_id, "b", 0, "").items) == 3


def test_create_experiment_retry(services: TrackingServices, unique_name: str) -> None:
    request_id = str(uuid.uuid4())
    first = services.experiments.create(unique_name, "", [], request_id)
    assert services.experiments.create(unique_name, "", [], request_id) == first


def test_reused_id_with_other_request_is_refused(services: TrackingServices, run_id: str) -> None:
    request_id = uuid.uuid4().hex
    services.runs.log_param(run_id, Param("p", "1"), request_id)
    with pytest.raises(FailedPrecondition) as caught:
        services.runs.log_param(run_id, Param("q", "1"), request_id)
    assert caught.value.reason == "REQUEST_ID_REUSED"
    with pytest.raises(FailedPrecondition):
        services.runs.set_tag(run_id, Tag("p", "1"), request_id)
    assert services.runs.get(run_id).data.params == (Param("p", "1"),)


def test_failed_request_can_be_retried(services: TrackingServices, run_id: str) -> None:
    request_id = uuid.uuid4().hex
    services.runs.log_param(run_id, Param("p", "1"))
    with pytest.raises(InvalidArgument):
        services.runs.log_batch(run_id, [Metric("m", 1.0, 1, 0)], [Param("p", "2")], [], request_id)
    # Nothing was recorded for the failed attempt, so a corrected request may reuse the id.
    services.runs.log_batch(run_id, [Metric("m", 1.0, 1, 0)], [], [], request_id)
    assert len(services.metrics.history(run_id, "m", 0, "").items) == 1


def test_malformed_request_id(services: TrackingServices, run_id: str) -> None:
    for bad in ("has space", "x" * 65, "tab\t"):
        with pytest.raises(InvalidArgument) as caught:
            services.runs.log_param(run_id, Param("p", "1"), bad)
        assert "request_id" in caught.value.message
