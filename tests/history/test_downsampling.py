"""Downsampled history (GetMetricHistory with max_points): the documented bucket rule, exact
answers for short series, NaN and infinities, step ranges and limits."""

from __future__ import annotations

import math
import random
from typing import Any

import grpc
import pytest
from trackd.v1 import metric_service_pb2 as pb

from tests.history.conftest import (
    Stubs,
    as_tuples,
    error_info,
    expected_downsample,
    in_server_order,
    log_series,
    point_tuples,
)


def sampled(
    stubs: Stubs, run_id: str, key: str, max_points: int, **kw: Any
) -> pb.GetMetricHistoryResponse:
    return stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key=key, max_points=max_points, **kw)
    )


def test_long_series_keeps_first_last_min_max_of_each_bucket(stubs: Stubs, run_id: str) -> None:
    rng = random.Random(7)
    values = [math.sin(i / 50) + rng.random() for i in range(3000)]
    points = log_series(stubs, run_id, "loss", values)

    reply = sampled(stubs, run_id, "loss", 100)

    assert as_tuples(reply.metrics) == point_tuples(expected_downsample(points, 100))
    assert len(reply.metrics) <= 100
    assert reply.total_points == 3000
    assert reply.downsampled
    assert reply.next_page_token == ""
    ordered = in_server_order(points)
    kept = as_tuples(reply.metrics)
    # The series' own first, last, global min and global max always survive.
    for p in (
        ordered[0],
        ordered[-1],
        min(points, key=lambda p: p.value),
        max(points, key=lambda p: p.value),
    ):
        assert (p.step, p.timestamp, repr(p.value)) in kept


def test_short_series_is_returned_exactly(stubs: Stubs, run_id: str) -> None:
    points = log_series(stubs, run_id, "acc", [0.5, float("nan"), 0.25, float("inf")])

    reply = sampled(stubs, run_id, "acc", 4)

    assert as_tuples(reply.metrics) == point_tuples(points)
    assert reply.total_points == 4
    assert not reply.downsampled


def test_series_of_exactly_max_points_plus_one_is_reduced(stubs: Stubs, run_id: str) -> None:
    points = log_series(stubs, run_id, "m", [float(i % 7) for i in range(41)])

    reply = sampled(stubs, run_id, "m", 40)

    assert len(reply.metrics) <= 40
    assert as_tuples(reply.metrics) == point_tuples(expected_downsample(points, 40))
    assert reply.downsampled


def test_nan_is_never_an_extreme_but_can_be_first_or_last(stubs: Stubs, run_id: str) -> None:
    nan = float("nan")
    rng = random.Random(3)
    values = [nan if i % 5 == 0 else rng.uniform(-1, 1) for i in range(800)]
    values[-1] = nan
    values[400:500] = [nan] * 100  # whole buckets of NaN keep only their first and last point
    points = log_series(stubs, run_id, "nan", values)

    reply = sampled(stubs, run_id, "nan", 80)

    assert as_tuples(reply.metrics) == point_tuples(expected_downsample(points, 80))
    assert math.isnan(reply.metrics[0].value) and math.isnan(reply.metrics[-1].value)


def test_infinities_are_ordinary_extremes(stubs: Stubs, run_id: str) -> None:
    values = [0.0] * 500
    values[123], values[321] = float("inf"), float("-inf")
    points = log_series(stubs, run_id, "inf", values)

    reply = sampled(stubs, run_id, "inf", 20)

    kept = as_tuples(reply.metrics)
    assert kept == point_tuples(expected_downsample(points, 20))
    assert (123, points[123].timestamp, "inf") in kept
    assert (321, points[321].timestamp, "-inf") in kept


def test_constant_series_ties_go_to_the_point_logged_first(stubs: Stubs, run_id: str) -> None:
    points = log_series(stubs, run_id, "lr", [0.001] * 2000)

    reply = sampled(stubs, run_id, "lr", 100)

    # Per bucket the first point is also its earliest minimum and maximum: 2 points each.
    assert as_tuples(reply.metrics) == point_tuples(expected_downsample(points, 100))
    assert len(reply.metrics) == 2 * 25


def test_order_is_by_step_not_by_logging(stubs: Stubs, run_id: str) -> None:
    steps = list(range(1000))
    random.Random(11).shuffle(steps)
    steps[10] = steps[11]  # a repeated step: timestamp then logging order decide
    points = log_series(stubs, run_id, "shuffled", [float(s % 13) for s in steps], steps)

    reply = sampled(stubs, run_id, "shuffled", 60)

    assert as_tuples(reply.metrics) == point_tuples(expected_downsample(points, 60))
    assert [m.step for m in reply.metrics] == sorted(m.step for m in reply.metrics)


def test_all_points_at_step_zero_are_still_spread_over_buckets(stubs: Stubs, run_id: str) -> None:
    points = log_series(stubs, run_id, "nostep", [float(i) for i in range(1000)], [0] * 1000)

    reply = sampled(stubs, run_id, "nostep", 40)

    assert as_tuples(reply.metrics) == point_tuples(expected_downsample(points, 40))
    assert len(reply.metrics) == 20  # 10 buckets of a rising line: first (=min), last (=max)


def test_step_range_limits_the_series_before_downsampling(stubs: Stubs, run_id: str) -> None:
    points = log_series(stubs, run_id, "ranged", [float(i % 17) for i in range(1000)])

    reply = sampled(stubs, run_id, "ranged", 40, start_step=200, end_step=699)

    assert reply.total_points == 500
    assert as_tuples(reply.metrics) == point_tuples(expected_downsample(points, 40, 200, 699))


def test_missing_series_is_empty(stubs: Stubs, run_id: str) -> None:
    reply = sampled(stubs, run_id, "never-logged", 100)

    assert list(reply.metrics) == []
    assert reply.total_points == 0
    assert not reply.downsampled


@pytest.mark.parametrize("max_points", [1, 3, 25001, -5])
def test_max_points_out_of_range_is_invalid(stubs: Stubs, run_id: str, max_points: int) -> None:
    with pytest.raises(grpc.RpcError) as call:
        sampled(stubs, run_id, "loss", max_points)

    assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    reason, metadata = error_info(call.value)
    assert reason == "LIMIT_EXCEEDED"
    assert metadata == {"field": "max_points", "limit": "25000"}


def test_page_token_with_max_points_is_invalid(stubs: Stubs, run_id: str) -> None:
    log_series(stubs, run_id, "loss", [1.0, 2.0, 3.0])
    first = stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key="loss", page_size=1)
    )

    with pytest.raises(grpc.RpcError) as call:
        sampled(stubs, run_id, "loss", 10, page_token=first.next_page_token)  # type: ignore[arg-type]

    assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert error_info(call.value)[1]["field"] == "page_token"


def test_inverted_step_range_is_invalid(stubs: Stubs, run_id: str) -> None:
    with pytest.raises(grpc.RpcError) as call:
        sampled(stubs, run_id, "loss", 10, start_step=5, end_step=4)

    assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert error_info(call.value)[1]["field"] == "start_step"


def test_unknown_run_is_not_found(stubs: Stubs) -> None:
    with pytest.raises(grpc.RpcError) as call:
        sampled(stubs, "0" * 32, "loss", 10)

    assert call.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
