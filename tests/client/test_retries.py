"""Retries on UNAVAILABLE reuse the request id, so a lost reply never creates a ghost run.

Two real failures: a reply lost after the server committed (an interceptor discards it), and a
server that is down when the call starts and comes back on the same port and database.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import trackd
from trackd.exceptions import DeadlineExceededError, UnavailableError

from tests.support.servers import ServerProcess, free_port, start_server

from .interceptors import LoseFirstReply, Recorder


def test_lost_create_run_reply_creates_one_run(tracking_uri: str, experiment_id: str) -> None:
    lose = LoseFirstReply("CreateRun")
    client = trackd.TrackingClient(tracking_uri, interceptors=[lose], backoff_factor=0.01)

    run = client.create_run(experiment_id, run_name="only-once")

    assert lose.dropped
    assert len(lose.request_ids) == 2
    assert lose.request_ids[0] and lose.request_ids[0] == lose.request_ids[1]
    runs = list(trackd.TrackingClient(tracking_uri).search_runs(experiment_id))
    assert [r.info.run_id for r in runs] == [run.info.run_id]


def test_lost_log_metric_reply_logs_one_point(tracking_uri: str, run_id: str) -> None:
    lose = LoseFirstReply("LogMetric")
    client = trackd.TrackingClient(tracking_uri, interceptors=[lose], backoff_factor=0.01)

    client.log_metric(run_id, "loss", 0.5, step=1)

    assert len(set(lose.request_ids)) == 1 and len(lose.request_ids) == 2
    assert len(client.get_metric_history(run_id, "loss")) == 1


def test_lost_create_experiment_reply_is_not_already_exists(
    tracking_uri: str, unique_name: str
) -> None:
    lose = LoseFirstReply("CreateExperiment")
    client = trackd.TrackingClient(tracking_uri, interceptors=[lose], backoff_factor=0.01)

    experiment_id = client.create_experiment(unique_name)

    assert client.get_experiment(experiment_id).name == unique_name


def test_every_mutating_call_has_a_fresh_request_id(tracking_uri: str, unique_name: str) -> None:
    recorder = Recorder()
    client = trackd.TrackingClient(tracking_uri, interceptors=[recorder])
    experiment_id = client.create_experiment(unique_name)
    client.set_experiment_tag(experiment_id, "k", "v")
    client.delete_experiment_tag(experiment_id, "k")
    client.rename_experiment(experiment_id, unique_name + "-2")
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "p", 1)
    client.log_metric(run_id, "m", 1.0)
    client.set_tag(run_id, "t", 1)
    client.delete_tag(run_id, "t")
    client.log_batch(run_id, params={"q": 1})
    client.update_run(run_id, name="x")
    client.delete_run(run_id)
    client.restore_run(run_id)
    client.delete_experiment(experiment_id)
    client.restore_experiment(experiment_id)

    mutating = [req for _, req in recorder.calls if "request_id" in req.DESCRIPTOR.fields_by_name]
    assert len(mutating) == 15
    ids = [req.request_id for req in mutating]
    assert all(0 < len(i) <= 64 for i in ids)
    assert len(set(ids)) == len(ids)


def test_unreachable_server_raises_unavailable_after_retries() -> None:
    recorder = Recorder()
    client = trackd.TrackingClient(
        f"grpc://127.0.0.1:{free_port()}",
        interceptors=[recorder],
        max_retries=2,
        backoff_factor=0.01,
    )
    with pytest.raises(UnavailableError) as caught:
        client.create_run("0")
    assert caught.value.code == "UNAVAILABLE"
    assert "127.0.0.1" in caught.value.message
    ids = {req.request_id for _, req in recorder.calls}
    assert len(recorder.calls) == 3 and len(ids) == 1


def test_deadline_exceeded_when_the_server_hangs(tmp_path: Path) -> None:
    port = free_port()
    server = _serve_on(port, f"sqlite:///{tmp_path / 'hang.db'}", tmp_path)
    client = trackd.TrackingClient(f"grpc://127.0.0.1:{port}", timeout=2)
    try:
        client.get_experiment("0")  # connected
        server.process.send_signal(signal.SIGSTOP)
        _wait_until_stopped(server.process.pid)
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            client.get_experiment("0")
        assert caught.value.code == "DEADLINE_EXCEEDED"
        assert isinstance(caught.value, TimeoutError)
        assert 1.5 <= time.monotonic() - started < 10
        server.process.send_signal(signal.SIGCONT)
        assert client.get_experiment("0").name == "Default"  # the same client recovers
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.stop()


def _wait_until_stopped(pid: int, timeout: float = 10.0) -> None:
    """Waits until every thread of `pid` is stopped: SIGSTOP takes effect asynchronously, and a
    loaded machine can let a thread answer one more call in between."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [
            (Path(f"/proc/{pid}/task") / tid / "stat").read_text().rsplit(")", 1)[1].split()[0]
            for tid in os.listdir(f"/proc/{pid}/task")
        ]
        if all(state == "T" for state in states):
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not stop within {timeout} s")


def _serve_on(port: int, backend_url: str, workdir: Path) -> ServerProcess:
    return start_server(backend_url, workdir, port=port)


def test_call_survives_server_restart_without_ghost_runs(tmp_path: Path) -> None:
    port = free_port()
    backend_url = f"sqlite:///{tmp_path / 'restart.db'}"
    server = _serve_on(port, backend_url, tmp_path)
    recorder = Recorder()
    client = trackd.TrackingClient(
        f"grpc://127.0.0.1:{port}", interceptors=[recorder], max_retries=12, backoff_factor=0.2
    )
    try:
        experiment_id = client.create_experiment("restart")
        assert server.stop() == 0

        outcome: dict[str, object] = {}
        recorder.failed_once.clear()

        def create() -> None:
            try:
                outcome["run"] = client.create_run(experiment_id)
            except Exception as err:  # reported by the assertion below
                outcome["error"] = err

        worker = threading.Thread(target=create)
        worker.start()
        assert recorder.failed_once.wait(timeout=30), "the call never reached the stopped server"
        server = _serve_on(port, backend_url, tmp_path)
        worker.join(timeout=120)

        assert "error" not in outcome, outcome.get("error")
        run = outcome["run"]
        assert isinstance(run, trackd.Run)
        attempts = recorder.requests("CreateRun")
        assert len(attempts) >= 2
        assert len({a.request_id for a in attempts}) == 1
        runs = list(client.search_runs(experiment_id))
        assert [r.info.run_id for r in runs] == [run.info.run_id]
    finally:
        server.stop()
