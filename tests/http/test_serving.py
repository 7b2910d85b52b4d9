"""The listener itself: concurrent requests, several worker processes on one HTTP port, and
HTTP/1.1 keep-alive."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from trackd.v1 import metric_service_pb2 as pb

from tests.http.conftest import Stubs, ok, request_id
from tests.support.servers import start_server


def test_concurrent_writes_all_land(server_http_url: str, stubs: Stubs, run_id: str) -> None:
    def log(step: int) -> int:
        with httpx.Client(base_url=server_http_url, timeout=30) as client:
            response = client.post(
                f"/v1/runs/{run_id}/metrics",
                json={
                    "key": "c",
                    "value": step,
                    "step": step,
                    "request_id": request_id(),
                },
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(log, range(64)))
    assert statuses == [200] * 64
    history = stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key="c")
    )
    assert [m.step for m in history.metrics] == list(range(64))


def test_keep_alive_connection_serves_many_requests(http: httpx.Client) -> None:
    for _ in range(20):
        assert ok(http.get("/v1/experiments/0"))["experiment"]["experiment_id"] == "0"


def test_worker_processes_share_the_http_port(backend_url: str, tmp_path: Path) -> None:
    proc = start_server(backend_url, tmp_path, workers=2)
    try:
        names = set()
        for _ in range(10):
            # A new connection each time, so the kernel may pick either worker.
            with httpx.Client(base_url=proc.http_url, timeout=30) as client:
                names.add(ok(client.get("/v1/experiments/0"))["experiment"]["name"])
        assert names == {"Default"}
    finally:
        assert proc.stop() == 0, proc.log()
