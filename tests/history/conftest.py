"""Fixtures for metric-history tests: gRPC stubs and a client of the session's real servers
(SQLite and PostgreSQL, see tests/conftest.py), and helpers that log series."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import grpc
import pytest
from trackd.v1 import metric_service_pb2_grpc, run_pb2, run_service_pb2, run_service_pb2_grpc
from trackd_server.store.sql.metrics.summaries import BLOCK_POINTS


@dataclass(frozen=True)
class Point:
    """A logged point and its position in logging order (the server's tie-break)."""

    step: int
    timestamp: int
    value: float
    logged: int


@dataclass
class Stubs:
    runs: run_service_pb2_grpc.RunServiceStub
    metrics: metric_service_pb2_grpc.MetricServiceStub


@pytest.fixture()
def stubs(tracking_uri: str) -> Iterator[Stubs]:
    target = tracking_uri.removeprefix("grpc://")
    with grpc.insecure_channel(
        target, options=[("grpc.max_receive_message_length", 64 * 1024 * 1024)]
    ) as channel:
        yield Stubs(
            run_service_pb2_grpc.RunServiceStub(channel),
            metric_service_pb2_grpc.MetricServiceStub(channel),
        )


def log_series(
    stubs: Stubs, run_id: str, key: str, values: Sequence[float], steps: Sequence[int] | None = None
) -> list[Point]:
    """Logs values (at steps 0.. unless given) in batches of 1000; returns the points with
    their logging order."""
    points = [
        Point(steps[i] if steps is not None else i, 1_700_000_000_000 + i, v, i)
        for i, v in enumerate(values)
    ]
    for start in range(0, len(points), 1000):
        chunk = points[start : start + 1000]
        stubs.runs.LogBatch(
            run_service_pb2.LogBatchRequest(
                run_id=run_id,
                metrics=[
                    run_pb2.Metric(key=key, value=p.value, timestamp=p.timestamp, step=p.step)
                    for p in chunk
                ],
                request_id=uuid.uuid4().hex,
            )
        )
    return points


def in_server_order(points: Sequence[Point]) -> list[Point]:
    return sorted(points, key=lambda p: (p.step, p.timestamp, p.logged))


def _extremes(members: Sequence[Point]) -> list[Point]:
    """First, last, minimum and maximum of one bucket: NaN never an extreme, ties to the point
    logged first."""
    kept = [members[0], members[-1]]
    numbers = [p for p in members if not math.isnan(p.value)]
    if numbers:
        kept.append(min(numbers, key=lambda p: (p.value, p.logged)))
        kept.append(min(numbers, key=lambda p: (-p.value, p.logged)))
    return kept


def expected_downsample(
    points: Sequence[Point],
    max_points: int,
    start_step: int | None = None,
    end_step: int | None = None,
) -> list[Point]:
    """The reference of the documented rule, computed point by point from the whole logged
    series: the points in the step range are returned whole when they fit; else they are cut
    into 64-point position blocks of the whole series (clipped to the range), and with at least
    B = max_points // 4 such units, unit u goes to bucket floor(u * B / U); with fewer, point i
    of the n in range goes to bucket floor(i * B / n). Each bucket keeps first, last, min, max."""
    ordered = in_server_order(points)
    inside = [
        (position, p)
        for position, p in enumerate(ordered)
        if (start_step is None or p.step >= start_step) and (end_step is None or p.step <= end_step)
    ]
    n = len(inside)
    if n <= max_points:
        return [p for _, p in inside]
    buckets = max(1, max_points // 4)
    units: dict[int, list[Point]] = {}
    for position, p in inside:
        units.setdefault(position // BLOCK_POINTS, []).append(p)
    members: dict[int, list[Point]] = {}
    if len(units) >= buckets:
        for u, unit in enumerate(units.values()):
            members.setdefault(u * buckets // len(units), []).extend(unit)
    else:
        for i, (_, p) in enumerate(inside):
            members.setdefault(i * buckets // n, []).append(p)
    kept = {p.logged: p for bucket in members.values() for p in _extremes(bucket)}
    return in_server_order(list(kept.values()))


def as_tuples(metrics: Sequence[run_pb2.Metric]) -> list[tuple[int, int, str]]:
    """(step, timestamp, repr(value)): NaN compares equal to NaN this way."""
    return [(m.step, m.timestamp, repr(m.value)) for m in metrics]


def point_tuples(points: Sequence[Point]) -> list[tuple[int, int, str]]:
    return [(p.step, p.timestamp, repr(p.value)) for p in points]


def status_of(call: pytest.ExceptionInfo[grpc.RpcError]) -> grpc.StatusCode:
    return call.value.code()  # type: ignore[attr-defined,no-any-return]


def error_info(error: grpc.RpcError) -> tuple[str, dict[str, str]]:
    """(reason, metadata) of the google.rpc.ErrorInfo the server attached to an error."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "the error carries no google.rpc.Status"
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason, dict(info.metadata)
    raise AssertionError("the error carries no ErrorInfo")
