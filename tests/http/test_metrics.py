"""MetricService over HTTP/JSON, compared with gRPC; history pages from query parameters."""

from __future__ import annotations

import math

import httpx
from trackd.v1 import metric_service_pb2 as pb

from tests.http.conftest import Stubs, ok, request_id, same


def test_log_metric_then_history_equals_grpc(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    for step, value in enumerate([0.5, "NaN", "Infinity", "-Infinity", 1e-300]):
        assert (
            ok(
                http.post(
                    f"/v1/runs/{run_id}/metrics",
                    json={
                        "key": "loss",
                        "value": value,
                        "timestamp": 1700000000000 + step,
                        "step": step,
                        "request_id": request_id(),
                    },
                )
            )
            == {}
        )
    body = ok(http.get(f"/v1/runs/{run_id}/metrics:history", params={"metric_key": "loss"}))
    same(
        body,
        stubs.metrics.GetMetricHistory(
            pb.GetMetricHistoryRequest(run_id=run_id, metric_key="loss")
        ),
    )
    assert [m["value"] for m in body["metrics"]] == [0.5, "NaN", "Infinity", "-Infinity", 1e-300]
    assert [m["step"] for m in body["metrics"]] == ["0", "1", "2", "3", "4"]


def test_history_pages_from_query_parameters(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    for step in range(7):
        stubs.metrics.LogMetric(
            pb.LogMetricRequest(
                run_id=run_id,
                key="acc",
                value=step / 10,
                timestamp=1,
                step=step,
                request_id=request_id(),
            )
        )
    token, steps = "", []
    while True:
        # lowerCamel query names work as well as snake_case ones.
        params = {"metricKey": "acc", "page_size": "3", "pageToken": token}
        body = ok(http.get(f"/v1/runs/{run_id}/metrics:history", params=params))
        same(
            body,
            stubs.metrics.GetMetricHistory(
                pb.GetMetricHistoryRequest(
                    run_id=run_id,
                    metric_key="acc",
                    page_size=3,
                    page_token=token,
                )
            ),
        )
        assert len(body["metrics"]) <= 3
        steps += [int(m["step"]) for m in body["metrics"]]
        token = body["next_page_token"]
        if not token:
            break
    assert steps == list(range(7))


def test_large_step_and_timestamp_round_trip_exactly(
    http: httpx.Client, stubs: Stubs, run_id: str
) -> None:
    big = 2**62 + 1  # not representable as a double: must never pass through a float
    ok(
        http.post(
            f"/v1/runs/{run_id}/metrics",
            json={
                "key": "big",
                "value": 1,
                "timestamp": str(big),
                "step": big,
                "request_id": request_id(),
            },
        )
    )
    reply = stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key="big")
    )
    assert (reply.metrics[0].step, reply.metrics[0].timestamp) == (big, big)
    body = ok(http.get(f"/v1/runs/{run_id}/metrics:history", params={"metric_key": "big"}))
    assert body["metrics"][0]["step"] == str(big) and not math.isnan(body["metrics"][0]["value"])
