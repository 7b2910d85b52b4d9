"""Retries on UNAVAILABLE reuse the request id, so a lost reply never creates a ghost run.

gRPC retries these calls itself, by the shared service config (proto/trackd/v1), below the
client's interceptors; a gRPC proxy on loopback (grpc_proxy.py) in front of the real server sees
every attempt. Real failures: a reply lost after the server committed, a server that answers
UNAVAILABLE, a server that is down when the call starts and comes back on the same port and
database, and nothing listening at all.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trackd
from google.protobuf import descriptor_pool
from trackd import _policy
from trackd.exceptions import DeadlineExceededError, InvalidArgumentError, UnavailableError

from tests.support.fault_proxy import FaultProxy
from tests.support.servers import ServerProcess, free_port, start_server

from .grpc_proxy import GrpcProxy, proxy_to
from .interceptors import Recorder

ROOT = Path(__file__).resolve().parents[2]
SHARED_CONFIG = ROOT / "proto" / "trackd" / "v1" / "service_config.json"


@pytest.fixture()
def proxy(tracking_uri: str) -> Iterator[GrpcProxy]:
    with proxy_to(tracking_uri) as p:
        yield p


def _same_id_on_every_attempt(proxy: GrpcProxy, method: str, attempts: int) -> None:
    seen = proxy.of(method)
    assert len(seen) == attempts
    ids = {a.request.request_id for a in seen}
    assert len(ids) == 1 and next(iter(ids))
    # gRPC's retry machinery made them, not a loop of ours sending the call again.
    assert [a.previous_attempts for a in seen] == list(range(attempts))


def test_lost_create_run_reply_creates_one_run(
    proxy: GrpcProxy, tracking_uri: str, experiment_id: str
) -> None:
    proxy.inject("CreateRun", 1, "lose_reply")
    client = trackd.TrackingClient(proxy.uri, backoff_factor=0.01)

    run = client.create_run(experiment_id, run_name="only-once")

    _same_id_on_every_attempt(proxy, "CreateRun", 2)
    runs = list(trackd.TrackingClient(tracking_uri).search_runs(experiment_id))
    assert [r.info.run_id for r in runs] == [run.info.run_id]


def test_a_reply_lost_on_the_wire_is_retried_by_grpc_with_the_same_id(
    proxy: GrpcProxy, tracking_uri: str, experiment_id: str
) -> None:
    """A network fault, not an injected status: the TCP fault proxy between the client and the
    recording proxy drops the server's answer after it committed and cuts the connection.
    gRPC's retry sends the same bytes on a new connection; our code sent the call once."""
    recorder = Recorder()
    with FaultProxy(proxy.port) as wire:
        client = trackd.TrackingClient(wire.uri, interceptors=[recorder], backoff_factor=0.01)
        client.get_experiment(experiment_id)  # connected
        wire.lose_next_reply()

        run = client.create_run(experiment_id, run_name="lost-on-the-wire")

        assert wire.lost_replies == 1 and wire.connections_accepted == 2
    assert len(recorder.requests("CreateRun")) == 1
    _same_id_on_every_attempt(proxy, "CreateRun", 2)
    runs = list(trackd.TrackingClient(tracking_uri).search_runs(experiment_id))
    assert [r.info.run_id for r in runs] == [run.info.run_id]


def test_lost_log_metric_reply_logs_one_point(proxy: GrpcProxy, run_id: str) -> None:
    proxy.inject("LogMetric", 2, "lose_reply")
    client = trackd.TrackingClient(proxy.uri, backoff_factor=0.01)

    client.log_metric(run_id, "loss", 0.5, step=1)

    _same_id_on_every_attempt(proxy, "LogMetric", 3)
    assert len(client.get_metric_history(run_id, "loss")) == 1


def test_lost_create_experiment_reply_is_not_already_exists(
    proxy: GrpcProxy, unique_name: str
) -> None:
    proxy.inject("CreateExperiment", 1, "lose_reply")
    client = trackd.TrackingClient(proxy.uri, backoff_factor=0.01)

    experiment_id = client.create_experiment(unique_name)

    _same_id_on_every_attempt(proxy, "CreateExperiment", 2)
    assert client.get_experiment(experiment_id).name == unique_name


def test_a_large_lost_batch_is_retried_too(proxy: GrpcProxy, run_id: str) -> None:
    # gRPC replays only what it buffered (256 KiB per call unless told otherwise).
    params = {f"p{i}": "x" * 6000 for i in range(100)}
    proxy.inject("LogBatch", 1, "lose_reply")
    client = trackd.TrackingClient(proxy.uri, backoff_factor=0.01)

    client.log_batch(run_id, params=params)

    assert proxy.requests("LogBatch")[0].ByteSize() > 512 * 1024
    _same_id_on_every_attempt(proxy, "LogBatch", 2)
    assert client.get_run(run_id).data.params == params


def test_the_shared_file_sets_the_attempts(proxy: GrpcProxy) -> None:
    proxy.inject("GetExperiment", 100, "unavailable")
    client = trackd.TrackingClient(proxy.uri, backoff_factor=0.01)

    with pytest.raises(UnavailableError) as caught:
        client.get_experiment("0")

    assert caught.value.code == "UNAVAILABLE"
    shared = json.loads(SHARED_CONFIG.read_text())["methodConfig"][0]["retryPolicy"]
    assert len(proxy.of("GetExperiment")) == shared["maxAttempts"] == 5


@pytest.mark.parametrize(("max_retries", "attempts"), [(0, 1), (2, 3), (12, 5)])
def test_max_retries_overrides_the_file_up_to_grpcs_cap(
    proxy: GrpcProxy, max_retries: int, attempts: int
) -> None:
    proxy.inject("GetExperiment", 100, "unavailable")
    client = trackd.TrackingClient(proxy.uri, max_retries=max_retries, backoff_factor=0.01)

    with pytest.raises(UnavailableError):
        client.get_experiment("0")

    assert len(proxy.of("GetExperiment")) == attempts


def test_other_failures_are_not_retried(proxy: GrpcProxy, run_id: str) -> None:
    client = trackd.TrackingClient(proxy.uri, backoff_factor=0.01)
    client.log_param(run_id, "lr", "0.1")

    with pytest.raises(InvalidArgumentError) as caught:
        client.log_param(run_id, "lr", "0.2")

    assert caught.value.reason == "PARAM_VALUE_CHANGED"
    assert len(proxy.of("LogParam")) == 2  # one attempt for each call


def test_the_deadline_bounds_the_call_with_its_retries(proxy: GrpcProxy) -> None:
    proxy.inject("GetExperiment", 100, "unavailable")
    # Backoffs of up to 4 s, 8 s, 8 s, 8 s: the 1.5 s deadline ends the call first.
    client = trackd.TrackingClient(proxy.uri, timeout=1.5, backoff_factor=4)
    started = time.monotonic()

    with pytest.raises(DeadlineExceededError):
        client.get_experiment("0")

    assert time.monotonic() - started < 5


def test_only_idempotent_calls_are_retried() -> None:
    """Every method the shared policy retries is a read or carries a request_id; the streamed
    transfers are left out (they restart themselves, see _artifact_transfer.py)."""
    config = json.loads(SHARED_CONFIG.read_text())
    pool = descriptor_pool.Default()
    retried = []
    for entry in config["methodConfig"]:
        if "retryPolicy" not in entry:
            continue
        assert entry["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
        for name in entry["name"]:
            service = pool.FindServiceByName(name["service"])
            retried += [m for m in service.methods if name.get("method") in (None, m.name)]
    assert len(retried) == 23
    for method in retried:
        assert not method.client_streaming and not method.server_streaming, method.full_name
        is_read = method.name.startswith(("Get", "Search", "List"))
        assert is_read or "request_id" in method.input_type.fields_by_name, method.full_name


def test_the_package_carries_the_shared_file() -> None:
    assert _policy.shared_service_config() == json.loads(SHARED_CONFIG.read_text())


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


_UNREACHABLE_SCRIPT = """
import sys, trackd
from trackd.exceptions import UnavailableError
client = trackd.TrackingClient(sys.argv[1], max_retries=2, backoff_factor=0.5)
for _ in range(2):
    try:
        client.create_run("0")
    except UnavailableError as err:
        print(err.message)
"""


def test_unreachable_server_is_announced_once_then_unavailable() -> None:
    uri = f"grpc://127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKD_")}
    done = subprocess.run(
        [sys.executable, "-c", _UNREACHABLE_SCRIPT, uri],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )

    failures = done.stdout.splitlines()
    assert len(failures) == 2 and all(uri in line for line in failures)
    # One outage, two calls, six attempts: one line, saying what happens and where.
    assert done.stderr.splitlines() == [
        f"trackd: server {uri.removeprefix('grpc://')} unreachable, "
        "retrying up to 2 times (at most 1.5 s of backoff) before UNAVAILABLE"
    ]


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
    # Backoffs of up to 4 s, 8 s, 8 s, 8 s (28 s in all, 14 s on average): time for a restart.
    client = trackd.TrackingClient(
        f"grpc://127.0.0.1:{port}", interceptors=[recorder], backoff_factor=4
    )
    announced = _Announcements()
    logging.getLogger("trackd").addHandler(announced)
    try:
        experiment_id = client.create_experiment("restart")
        assert server.stop() == 0

        outcome: dict[str, object] = {}

        def create() -> None:
            try:
                outcome["run"] = client.create_run(experiment_id)
            except Exception as err:  # reported by the assertion below
                outcome["error"] = err

        worker = threading.Thread(target=create)
        worker.start()
        assert announced.first.wait(timeout=30), "the call never found the server gone"
        server = _serve_on(port, backend_url, tmp_path)
        worker.join(timeout=120)

        assert "error" not in outcome, outcome.get("error")
        run = outcome["run"]
        assert isinstance(run, trackd.Run)
        assert len(recorder.requests("CreateRun")) == 1  # one call; gRPC made the attempts
        runs = list(client.search_runs(experiment_id))
        assert [r.info.run_id for r in runs] == [run.info.run_id]
        assert len(announced.records) == 1
    finally:
        logging.getLogger("trackd").removeHandler(announced)
        server.stop()


class _Announcements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.first = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.first.set()
