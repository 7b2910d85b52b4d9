"""GetMetricHistory without max_points: every point, page by page, optionally in a step
range."""

from __future__ import annotations

import grpc
import pytest
from trackd.v1 import metric_service_pb2 as pb

from tests.history.conftest import Stubs, as_tuples, in_server_order, log_series, point_tuples


def all_pages(
    stubs: Stubs, run_id: str, key: str, page_size: int, **kw: int
) -> tuple[list[pb.GetMetricHistoryResponse], list]:
    pages, points, token = [], [], ""
    while True:
        reply = stubs.metrics.GetMetricHistory(
            pb.GetMetricHistoryRequest(
                run_id=run_id, metric_key=key, page_size=page_size, page_token=token, **kw
            )
        )
        pages.append(reply)
        points.extend(reply.metrics)
        token = reply.next_page_token
        if not token:
            return pages, points


def test_several_pages_return_every_point_once_in_order(stubs: Stubs, run_id: str) -> None:
    steps = [(i * 37) % 350 for i in range(350)]
    logged = log_series(stubs, run_id, "loss", [float(i) for i in range(350)], steps)

    pages, points = all_pages(stubs, run_id, "loss", 100)

    assert [len(p.metrics) for p in pages] == [100, 100, 100, 50]
    assert as_tuples(points) == point_tuples(in_server_order(logged))
    assert all(p.total_points == 0 and not p.downsampled for p in pages)


def test_pages_within_a_step_range(stubs: Stubs, run_id: str) -> None:
    logged = log_series(stubs, run_id, "acc", [i / 100 for i in range(250)])

    pages, points = all_pages(stubs, run_id, "acc", 40, start_step=50, end_step=149)

    assert len(pages) == 3
    assert as_tuples(points) == point_tuples(logged[50:150])


def test_token_of_another_step_range_is_invalid(stubs: Stubs, run_id: str) -> None:
    log_series(stubs, run_id, "acc", [i / 100 for i in range(20)])
    first = stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key="acc", page_size=5, start_step=2)
    )

    with pytest.raises(grpc.RpcError) as call:
        stubs.metrics.GetMetricHistory(
            pb.GetMetricHistoryRequest(
                run_id=run_id, metric_key="acc", page_size=5, page_token=first.next_page_token
            )
        )

    assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
