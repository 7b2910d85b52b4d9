"""GetMetricHistoryBulk: many runs and keys in one call, each series downsampled, with hard
caps on runs, keys and points."""

from __future__ import annotations

import grpc
import pytest
import trackd
from trackd.v1 import metric_service_pb2 as pb
from trackd_server.domain.errors import ResourceExhausted
from trackd_server.service.metrics import MetricService
from trackd_server.service.pagination import PageTokens
from trackd_server.store.sql.store import SqlStore

from tests.history.conftest import (
    Stubs,
    as_tuples,
    error_info,
    expected_downsample,
    log_series,
    point_tuples,
)


def bulk(
    stubs: Stubs, run_ids: list[str], keys: list[str], **kw: int
) -> pb.GetMetricHistoryBulkResponse:
    return stubs.metrics.GetMetricHistoryBulk(
        pb.GetMetricHistoryBulkRequest(run_ids=run_ids, metric_keys=keys, **kw)
    )


def test_series_of_several_runs_and_keys(
    stubs: Stubs, client: trackd.TrackingClient, experiment_id: str
) -> None:
    runs = [client.create_run(experiment_id).info.run_id for _ in range(3)]
    logged = {}
    for n, run in enumerate(runs):
        logged[(run, "loss")] = log_series(
            stubs, run, "loss", [float((i * 7 + n) % 23) for i in range(300 + n)]
        )
        if n != 1:  # the second run has no "acc": no series for it
            logged[(run, "acc")] = log_series(stubs, run, "acc", [i / 10 for i in range(10)])

    reply = bulk(stubs, runs, ["loss", "acc"], max_points=40)

    assert reply.max_points == 40
    assert [(s.run_id, s.metric_key) for s in reply.series] == [
        (runs[0], "loss"),
        (runs[0], "acc"),
        (runs[1], "loss"),
        (runs[2], "loss"),
        (runs[2], "acc"),
    ]
    for series in reply.series:
        points = logged[(series.run_id, series.metric_key)]
        assert as_tuples(series.points) == point_tuples(expected_downsample(points, 40))
        assert series.total_points == len(points)
        assert series.downsampled == (len(points) > 40)
        assert all(p.key == "" for p in series.points)


def test_default_budget_is_1000_points_per_series(stubs: Stubs, run_id: str) -> None:
    points = log_series(stubs, run_id, "long", [float(i % 101) for i in range(2500)])

    reply = bulk(stubs, [run_id], ["long"])

    assert reply.max_points == 1000
    assert as_tuples(reply.series[0].points) == point_tuples(expected_downsample(points, 1000))


def test_default_budget_shrinks_to_keep_the_response_bounded(
    stubs: Stubs, client: trackd.TrackingClient, experiment_id: str
) -> None:
    runs = [client.create_run(experiment_id).info.run_id for _ in range(4)]
    keys = [f"k{i}" for i in range(100)]
    points = log_series(stubs, runs[0], "k0", [float(i % 9) for i in range(2000)])

    reply = bulk(stubs, runs + runs[:1], keys)  # a repeated id counts once

    # 400 series share the 100000 points of one response: 250 each.
    assert reply.max_points == 250
    assert [(s.run_id, s.metric_key) for s in reply.series] == [(runs[0], "k0")]
    assert as_tuples(reply.series[0].points) == point_tuples(expected_downsample(points, 250))


def test_work_per_call_is_bounded(
    backend_url: str, tracking_uri: str, stubs: Stubs, run_id: str
) -> None:
    log_series(stubs, run_id, "a", [float(i) for i in range(300)])
    log_series(stubs, run_id, "b", [float(i) for i in range(300)])
    store = SqlStore(backend_url)
    try:
        metrics = MetricService(store, PageTokens(b"test"), max_scanned_points=500)
        with pytest.raises(ResourceExhausted) as error:
            metrics.bulk_history([run_id], ["a", "b"], 100)
        assert error.value.metadata == {"limit": "500"}
        # Series short enough to be returned whole cost nothing to downsample.
        found, budget = metrics.bulk_history([run_id], ["a", "b"], 300)
        assert budget == 300 and [len(s.points) for s in found] == [300, 300]
    finally:
        store.dispose()


def test_step_range_applies_to_every_series(stubs: Stubs, run_id: str) -> None:
    a = log_series(stubs, run_id, "a", [float(i) for i in range(100)])
    b = log_series(stubs, run_id, "b", [float(-i) for i in range(100)])

    reply = bulk(stubs, [run_id], ["a", "b"], start_step=10, end_step=19, max_points=100)

    assert as_tuples(reply.series[0].points) == point_tuples(a[10:20])
    assert as_tuples(reply.series[1].points) == point_tuples(b[10:20])


@pytest.mark.parametrize(
    ("runs", "keys", "max_points", "field", "limit"),
    [
        (101, 1, 0, "run_ids", "100"),
        (1, 101, 0, "metric_keys", "100"),
        (1, 1, 10001, "max_points", "10000"),
        (1, 1, 3, "max_points", "10000"),
        (20, 6, 1000, "max_points", "100000"),  # 120 series x 1000 points > 100000
    ],
)
def test_caps_are_invalid_argument_naming_field_and_limit(
    stubs: Stubs, run_id: str, runs: int, keys: int, max_points: int, field: str, limit: str
) -> None:
    run_ids = [run_id] + [f"{i:032x}" for i in range(1, runs)]
    with pytest.raises(grpc.RpcError) as call:
        bulk(stubs, run_ids, [f"k{i}" for i in range(keys)], max_points=max_points)

    assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    reason, metadata = error_info(call.value)
    assert reason == "LIMIT_EXCEEDED"
    assert metadata == {"field": field, "limit": limit}


def test_empty_lists_are_invalid(stubs: Stubs, run_id: str) -> None:
    for run_ids, keys, field in (([], ["a"], "run_ids"), ([run_id], [], "metric_keys")):
        with pytest.raises(grpc.RpcError) as call:
            bulk(stubs, run_ids, keys)
        assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
        assert error_info(call.value)[1]["field"] == field


def test_unknown_run_is_not_found(stubs: Stubs, run_id: str) -> None:
    with pytest.raises(grpc.RpcError) as call:
        bulk(stubs, [run_id, "f" * 32], ["loss"])

    assert call.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    assert error_info(call.value)[1] == {"run_id": "f" * 32}
