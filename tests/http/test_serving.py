"""The listener itself: concurrent requests, several worker processes on one HTTP port,
HTTP/1.1 keep-alive without delayed-ACK stalls, and busy ports."""

from __future__ import annotations

import http.client
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from trackd.v1 import metric_service_pb2 as pb

from tests.http.conftest import Stubs, ok, request_id
from tests.support.servers import ServerProcess, free_port, start_server, trackd_command


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


def test_kept_alive_connection_answers_each_request_promptly(
    server: ServerProcess, run_id: str
) -> None:
    # http.client turns Nagle off on its side and sends small requests in one write, so what
    # is timed is the server. With Nagle on the server's socket each answer waited ~40 ms for
    # the client's delayed ACK (two writes: headers, then body).
    conn = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=30)
    body = f'{{"key": "k", "value": 1, "run_id": "{run_id}"}}'.encode()
    gets, posts = [], []
    try:
        for step in range(50):
            start = time.perf_counter()
            conn.request("GET", "/v1/experiments/0")
            answer = conn.getresponse()
            assert answer.status == 200 and b'"Default"' in answer.read()
            gets.append(time.perf_counter() - start)
            start = time.perf_counter()
            conn.request(
                "POST",
                f"/v1/runs/{run_id}/metrics",
                body=body.replace(b'"value": 1', f'"step": {step}, "value": 1'.encode()),
                headers={"content-type": "application/json"},
            )
            answer = conn.getresponse()
            assert answer.status == 200, answer.read()
            answer.read()
            posts.append(time.perf_counter() - start)
    finally:
        conn.close()
    # A loopback request is ~1-3 ms here; the stall made every one >= 40 ms.
    assert statistics.median(gets) < 0.02, gets
    assert statistics.median(posts) < 0.02, posts


@pytest.mark.parametrize("busy", ["grpc", "http"])
def test_second_server_on_a_busy_port_fails_to_start(
    server: ServerProcess, tmp_path: Path, busy: str
) -> None:
    grpc_port = server.port if busy == "grpc" else free_port()
    http_port = server.http_port if busy == "http" else free_port()
    taken = grpc_port if busy == "grpc" else http_port
    done = subprocess.run(
        [
            *trackd_command(),
            "server",
            "--backend-store-uri",
            f"sqlite:///{tmp_path / 'other.db'}",
            "--host",
            "127.0.0.1",
            "--port",
            str(grpc_port),
            "--http-port",
            str(http_port),
            "--default-artifact-root",
            str(tmp_path / "artifacts"),
        ],
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert f"127.0.0.1:{taken}" in done.stderr.decode(), done.stderr.decode()
    # The first server still answers every request itself.
    with httpx.Client(base_url=server.http_url, timeout=30) as client:
        for _ in range(5):
            assert ok(client.get("/v1/experiments/0"))["experiment"]["name"] == "Default"


def test_listener_refuses_a_busy_port_unless_both_share(server: ServerProcess) -> None:
    from trackd_server.api import http as gateway

    first = gateway.serve({}, "127.0.0.1", 0, share_port=True)
    try:
        with pytest.raises(OSError):
            gateway.serve({}, "127.0.0.1", first.port)
        second = gateway.serve({}, "127.0.0.1", first.port, share_port=True)
        second.stop(0)
    finally:
        first.stop(0)
