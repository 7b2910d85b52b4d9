"""The COLUMNS layout of GetMetricHistory and GetMetricHistoryBulk: the same points as the row
form (NaN, infinities, paging, step ranges, downsampling), and the Python client's columnar
call."""

from __future__ import annotations

import math
import random
from typing import Any

import grpc
import httpx
import pytest
import trackd
from trackd.v1 import metric_service_pb2 as pb

from tests.history.conftest import Stubs, error_info, log_series
from tests.support.servers import ServerProcess

COLUMNS = pb.HISTORY_LAYOUT_COLUMNS
SPECIAL = [math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324, 1.7976931348623157e308]


def rows(stubs: Stubs, run_id: str, key: str, page_size: int = 25000, **kw: Any) -> list[tuple]:
    """Every point through the row form, as (step, timestamp, repr(value))."""
    found, token = [], ""
    while True:
        reply = stubs.metrics.GetMetricHistory(
            pb.GetMetricHistoryRequest(
                run_id=run_id, metric_key=key, page_size=page_size, page_token=token, **kw
            )
        )
        found += [(m.step, m.timestamp, repr(m.value)) for m in reply.metrics]
        token = reply.next_page_token
        if not token:
            return found


def columns(
    stubs: Stubs, run_id: str, key: str, page_size: int = 0, token: str = "", **kw: Any
) -> tuple[list[tuple], list[pb.GetMetricHistoryResponse]]:
    """Every point through the COLUMNS layout (from `token` on), and the pages it came in."""
    found: list[tuple] = []
    pages = []
    while True:
        reply = stubs.metrics.GetMetricHistory(
            pb.GetMetricHistoryRequest(
                run_id=run_id,
                metric_key=key,
                page_size=page_size,
                page_token=token,
                layout=COLUMNS,
                **kw,
            )
        )
        pages.append(reply)
        assert reply.HasField("columns") and list(reply.metrics) == []
        c = reply.columns
        assert len(c.steps) == len(c.timestamps) == len(c.values)
        found += [(s, t, repr(v)) for s, t, v in zip(c.steps, c.timestamps, c.values, strict=True)]
        token = reply.next_page_token
        if not token:
            return found, pages


def log_awkward_series(stubs: Stubs, run_id: str, key: str, n: int) -> None:
    """Out-of-order steps, repeated steps, and every special double."""
    rng = random.Random(n)
    steps = [rng.randrange(n // 3) for _ in range(n)]
    values = [SPECIAL[i % len(SPECIAL)] if i % 5 == 0 else rng.gauss(0, 1e6) for i in range(n)]
    log_series(stubs, run_id, key, values, steps)


def test_columns_equal_rows_with_nan_and_infinities(stubs: Stubs, run_id: str) -> None:
    log_awkward_series(stubs, run_id, "odd", 3000)

    found, pages = columns(stubs, run_id, "odd")

    assert len(pages) == 1 and pages[0].next_page_token == ""
    assert found == rows(stubs, run_id, "odd")
    # (-0.0 is logged too; SQLite stores it as 0.0, in either layout.)
    assert {v for _, _, v in found} >= {"nan", "inf", "-inf", "5e-324"}


@pytest.mark.parametrize("page_size", [1, 7, 64, 999])
def test_paged_columns_equal_rows(stubs: Stubs, run_id: str, page_size: int) -> None:
    log_awkward_series(stubs, run_id, "paged", 1000)

    found, pages = columns(stubs, run_id, "paged", page_size)

    assert found == rows(stubs, run_id, "paged")
    assert [len(p.columns.steps) for p in pages[:-1]] == [page_size] * (len(pages) - 1)
    assert 1 <= len(pages[-1].columns.steps) <= page_size


def test_page_boundary_inside_points_of_equal_step_and_timestamp(stubs: Stubs, run_id: str) -> None:
    # Ten points share (step, timestamp); pages of 4 end inside that group, so the page token
    # has to tell them apart by the order of logging.
    from trackd.v1 import run_pb2, run_service_pb2

    metrics = [run_pb2.Metric(key="tie", value=float(i), timestamp=5, step=1) for i in range(10)]
    metrics += [run_pb2.Metric(key="tie", value=-1.0, timestamp=4, step=1)]
    stubs.runs.LogBatch(run_service_pb2.LogBatchRequest(run_id=run_id, metrics=metrics))

    found, pages = columns(stubs, run_id, "tie", 4)

    assert found == rows(stubs, run_id, "tie")
    assert [v for _, _, v in found] == ["-1.0"] + [repr(float(i)) for i in range(10)]
    assert len(pages) == 3


def test_columns_within_a_step_range(stubs: Stubs, run_id: str) -> None:
    log_awkward_series(stubs, run_id, "ranged", 900)

    found, _ = columns(stubs, run_id, "ranged", 50, start_step=100, end_step=199)

    assert found == rows(stubs, run_id, "ranged", 30, start_step=100, end_step=199)
    assert found and all(100 <= s <= 199 for s, _, _ in found)


def test_tokens_are_interchangeable_between_layouts(stubs: Stubs, run_id: str) -> None:
    log_series(stubs, run_id, "mix", [float(i) for i in range(30)])
    first = stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key="mix", page_size=10)
    )

    rest, _ = columns(stubs, run_id, "mix", 0, first.next_page_token)

    assert [s for s, _, _ in rest] == list(range(10, 30))


def test_downsampled_columns_equal_downsampled_rows(stubs: Stubs, run_id: str) -> None:
    log_awkward_series(stubs, run_id, "sampled", 4000)
    ask = {"max_points": 100, "start_step": 10}

    reply = stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key="sampled", layout=COLUMNS, **ask)
    )
    found, _ = columns(stubs, run_id, "sampled", **ask)
    row_reply = stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key="sampled", **ask)
    )

    assert found == [(m.step, m.timestamp, repr(m.value)) for m in row_reply.metrics]
    assert 0 < len(found) <= 100
    assert reply.total_points == row_reply.total_points and reply.downsampled


def test_empty_series_has_empty_columns(stubs: Stubs, run_id: str) -> None:
    reply = stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key="none", layout=COLUMNS)
    )

    assert reply.HasField("columns")
    assert list(reply.columns.steps) == [] and reply.next_page_token == ""


def test_columns_page_size_is_capped_at_100000(stubs: Stubs, run_id: str) -> None:
    with pytest.raises(grpc.RpcError) as call:
        stubs.metrics.GetMetricHistory(
            pb.GetMetricHistoryRequest(
                run_id=run_id, metric_key="x", page_size=100001, layout=COLUMNS
            )
        )

    assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert error_info(call.value)[1] == {"field": "page_size", "maximum": "100000"}
    # The row form keeps its own cap.
    with pytest.raises(grpc.RpcError) as rows_call:
        stubs.metrics.GetMetricHistory(
            pb.GetMetricHistoryRequest(run_id=run_id, metric_key="x", page_size=25001)
        )
    assert error_info(rows_call.value)[1]["maximum"] == "25000"


def test_bulk_columns_equal_bulk_rows(
    stubs: Stubs, client: trackd.TrackingClient, experiment_id: str
) -> None:
    runs = [client.create_run(experiment_id).info.run_id for _ in range(2)]
    for run in runs:
        log_awkward_series(stubs, run, "a", 700)
        log_awkward_series(stubs, run, "b", 40)
    request = {"run_ids": runs, "metric_keys": ["a", "b"], "max_points": 60}

    by_rows = stubs.metrics.GetMetricHistoryBulk(pb.GetMetricHistoryBulkRequest(**request))
    by_columns = stubs.metrics.GetMetricHistoryBulk(
        pb.GetMetricHistoryBulkRequest(layout=COLUMNS, **request)
    )

    assert len(by_columns.series) == len(by_rows.series) == 4
    for got, want in zip(by_columns.series, by_rows.series, strict=True):
        assert (got.run_id, got.metric_key, got.total_points, got.downsampled) == (
            want.run_id,
            want.metric_key,
            want.total_points,
            want.downsampled,
        )
        assert list(got.points) == []
        c = got.columns
        assert list(zip(c.steps, c.timestamps, map(repr, c.values), strict=True)) == [
            (p.step, p.timestamp, repr(p.value)) for p in want.points
        ]


def test_client_columns_equal_client_points(
    stubs: Stubs, client: trackd.TrackingClient, run_id: str
) -> None:
    log_awkward_series(stubs, run_id, "client", 2500)

    for kw in ({}, {"start_step": 50, "end_step": 400}, {"max_points": 80}):
        got = client.get_metric_history_columns(run_id, "client", **kw)  # type: ignore[arg-type]
        points = client.get_metric_history(run_id, "client", **kw)  # type: ignore[arg-type]
        assert [(m.step, m.timestamp, repr(m.value)) for m in points] == [
            (s, t, repr(v)) for s, t, v in zip(got.steps, got.timestamps, got.values, strict=True)
        ]
        assert [(s, t, v) for s, t, v in rows(stubs, run_id, "client", **kw)] == [
            (m.step, m.timestamp, repr(m.value)) for m in points
        ]
        assert all(m.key == "client" for m in points) and got.key == "client"
        assert isinstance(got.steps, list) and isinstance(got.values, list)
    full = client.get_metric_history_columns(run_id, "client")
    assert (len(full), full.total_points, full.downsampled) == (2500, 2500, False)
    sampled = client.get_metric_history_columns(run_id, "client", max_points=80)
    assert sampled.total_points == 2500 and sampled.downsampled and len(sampled) <= 80


def test_columns_over_http_json(server: ServerProcess, stubs: Stubs, run_id: str) -> None:
    log_series(stubs, run_id, "web", [math.nan, math.inf, 1.5], [0, 1, 2])

    body = httpx.get(
        f"{server.http_url}/v1/runs/{run_id}/metrics:history",
        params={"metric_key": "web", "layout": "HISTORY_LAYOUT_COLUMNS"},
    ).json()

    assert [int(s) for s in body["columns"]["steps"]] == [0, 1, 2]
    assert body["columns"]["values"] == ["NaN", "Infinity", 1.5]
