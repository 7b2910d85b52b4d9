"""Asynchronous logging (`synchronous=False`, `trackd.enable_async_logging`) against the real
servers: every queued write arrives, in order, in few requests; a bad write fails alone and is
reported; end_run and process exit send what is queued; a lost reply is retried once."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Iterator

import pytest
import trackd
from trackd import AsyncLoggingError, InvalidArgumentError, NotFoundError, RunStatus
from trackd._run_writes import ASYNC_LOGGING

from .grpc_proxy import proxy_to
from .interceptors import Recorder


@pytest.fixture()
def async_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Async logging enabled for the process during the test, restored afterwards."""
    monkeypatch.delenv(ASYNC_LOGGING, raising=False)
    monkeypatch.setattr("trackd._run_writes._async_override", None)  # restored afterwards
    trackd.enable_async_logging(True)
    yield


def test_queued_points_arrive_in_order_in_few_requests(tracking_uri: str, run_id: str) -> None:
    recorder = Recorder()
    client = trackd.TrackingClient(tracking_uri, interceptors=[recorder])
    pending = [
        client.log_metric(run_id, "loss", 1.0 / (i + 1), step=i, synchronous=False)
        for i in range(2500)
    ]
    client.log_param(run_id, "lr", 0.01, synchronous=False)
    client.set_tag(run_id, "phase", "train", synchronous=False)
    client.set_tag(run_id, "phase", "done", synchronous=False)  # the later one wins
    client.flush()

    assert all(p is not None and p.done() for p in pending)
    history = client.get_metric_history(run_id, "loss")
    assert [m.step for m in history] == list(range(2500))
    assert [m.value for m in history] == [1.0 / (i + 1) for i in range(2500)]
    run = client.get_run(run_id)
    assert run.data.params == {"lr": "0.01"}
    assert run.data.tags["phase"] == "done"
    assert recorder.requests("LogMetric") == []
    batches = recorder.requests("LogBatch")
    # 2500 points and 3 other writes need at least 3 LogBatch requests; far fewer than 2503.
    assert 3 <= len(batches) <= 60
    assert sum(len(b.metrics) for b in batches) == 2500


def test_a_bad_write_fails_alone_and_is_reported(tracking_uri: str, run_id: str) -> None:
    client = trackd.TrackingClient(tracking_uri)
    client.log_param(run_id, "optimizer", "adam")
    before = client.log_metric(run_id, "acc", 0.5, step=1, synchronous=False)
    conflict = client.log_param(run_id, "optimizer", "sgd", synchronous=False)
    after = client.log_metric(run_id, "acc", 0.7, step=2, synchronous=False)

    with pytest.raises(InvalidArgumentError) as caught:
        conflict.wait(timeout=60)
    assert "optimizer" in str(caught.value)
    before.wait(timeout=60)
    after.wait(timeout=60)
    client.flush()  # the failure was observed through wait(): nothing left to report
    assert [m.value for m in client.get_metric_history(run_id, "acc")] == [0.5, 0.7]
    assert client.get_run(run_id).data.params == {"optimizer": "adam"}


def test_unobserved_failures_are_raised_by_flush(tracking_uri: str) -> None:
    client = trackd.TrackingClient(tracking_uri)
    client.log_metric("0" * 32, "loss", 1.0, synchronous=False)
    client.log_metric("f" * 32, "loss", 2.0, synchronous=False)
    with pytest.raises(AsyncLoggingError) as caught:
        client.flush()
    assert len(caught.value.errors) == 2
    assert all(isinstance(e, NotFoundError) for e in caught.value.errors)
    client.flush()  # reported once


def test_invalid_value_is_refused_before_queueing(tracking_uri: str, run_id: str) -> None:
    client = trackd.TrackingClient(tracking_uri)
    with pytest.raises(InvalidArgumentError):
        client.log_metric(run_id, "loss", "high", synchronous=False)  # type: ignore[arg-type]
    client.log_metric(run_id, "inf", math.inf, synchronous=False)
    client.flush()
    assert client.get_run(run_id).data.metrics == {"inf": math.inf}


def test_lost_reply_is_retried_without_duplicating(tracking_uri: str, run_id: str) -> None:
    with proxy_to(tracking_uri) as proxy:
        proxy.inject("LogBatch", 1, "lose_reply")
        client = trackd.TrackingClient(proxy.uri, backoff_factor=0.01)
        for i in range(50):
            client.log_metric(run_id, "loss", float(i), step=i, synchronous=False)
        client.flush()
        lost = proxy.of("LogBatch")[0]
        assert [a.request.request_id for a in proxy.of("LogBatch")].count(
            lost.request.request_id
        ) == 2
    reader = trackd.TrackingClient(tracking_uri)  # the proxy is gone
    assert [m.step for m in reader.get_metric_history(run_id, "loss")] == list(range(50))


def test_fluent_end_run_sends_queued_writes(tracking_uri: str, async_default: None) -> None:
    trackd.set_tracking_uri(tracking_uri)
    try:
        with trackd.start_run() as run:
            for step in range(300):
                assert trackd.log_metric("loss", 0.1 * step, step=step) is not None
            trackd.log_params({"layers": 4})
            trackd.set_tags({"model": "mlp"})
        stored = trackd.TrackingClient(tracking_uri).get_run(run.info.run_id)
    finally:
        trackd.set_tracking_uri(None)
    assert stored.info.status == RunStatus.FINISHED
    assert stored.data.metrics == {"loss": pytest.approx(29.9)}
    assert stored.data.params == {"layers": "4"}
    assert stored.data.tags["model"] == "mlp"


def test_fluent_end_run_fails_the_run_when_queued_writes_failed(
    tracking_uri: str, async_default: None
) -> None:
    trackd.set_tracking_uri(tracking_uri)
    try:
        run = trackd.start_run()
        trackd.log_param("seed", 1, synchronous=True)
        trackd.log_param("seed", 2)  # queued; the server refuses the new value
        with pytest.raises(AsyncLoggingError):
            trackd.end_run()
        assert trackd.active_run() is None
        stored = trackd.TrackingClient(tracking_uri).get_run(run.info.run_id)
    finally:
        trackd.set_tracking_uri(None)
    assert stored.info.status == RunStatus.FAILED
    assert stored.data.params == {"seed": "1"}


EXIT_SCRIPT = """
import sys, trackd
client = trackd.TrackingClient(sys.argv[1])
run_id = sys.argv[2]
for step in range(500):
    client.log_metric(run_id, "loss", float(step), step=step, synchronous=False)
# no flush: the interpreter's exit must send the queue
"""


def test_process_exit_sends_queued_writes(tracking_uri: str, run_id: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, tracking_uri, run_id],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    history = trackd.TrackingClient(tracking_uri).get_metric_history(run_id, "loss")
    assert [m.step for m in history] == list(range(500))


def test_environment_variable_turns_async_on(
    tracking_uri: str, run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trackd._run_writes._async_override", None)
    monkeypatch.setenv(ASYNC_LOGGING, "true")
    client = trackd.TrackingClient(tracking_uri)
    assert trackd.async_logging_enabled()
    assert client.log_metric(run_id, "x", 1.0) is not None
    assert client.log_metric(run_id, "x", 2.0, synchronous=True) is None
    client.flush()
    assert len(client.get_metric_history(run_id, "x")) == 2
    monkeypatch.setenv(ASYNC_LOGGING, "0")
    assert not trackd.async_logging_enabled()
