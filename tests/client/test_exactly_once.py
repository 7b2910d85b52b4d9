"""Asynchronous logging is exactly-once under network faults and server crashes.

Faults come from a TCP proxy on loopback (tests/support/fault_proxy.py) between the client and
a real server: lost replies after the server committed, refused connections, outages longer
than the client's retry budget; and from kill -9 of a real server process. Every test counts
what the server stored: each write exactly once, and nothing reported as failed was stored.
"""

from __future__ import annotations

import math
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trackd
from trackd import AsyncLoggingError, PendingWrite

from tests.support.fault_proxy import FaultProxy
from tests.support.servers import ServerProcess, free_port, start_server

from .interceptors import Recorder

# A retry budget of well under a second, so that an outage of a second outlasts it.
SHORT_RETRIES = {"max_retries": 2, "backoff_factor": 0.02}


@pytest.fixture()
def proxy(server: ServerProcess) -> Iterator[FaultProxy]:
    with FaultProxy(server.port) as p:
        yield p


def _flush_until_confirmed(client: trackd.TrackingClient, timeout: float = 60) -> int:
    """Flushes until every queued write is confirmed (the channel may need a moment to
    reconnect after an outage); returns how many flushes reported unconfirmed writes. Every
    report must say the writes are unconfirmed, never that they failed."""
    deadline = time.monotonic() + timeout
    reports = 0
    while True:
        try:
            client.flush()
            return reports
        except AsyncLoggingError as error:
            assert error.errors == [], error
            assert error.unconfirmed > 0
            reports += 1
            if time.monotonic() > deadline:
                raise


def _steps(client: trackd.TrackingClient, run_id: str, key: str = "m") -> list[int]:
    return sorted(m.step for m in client.get_metric_history(run_id, key))


def test_lost_reply_of_a_merged_batch_then_an_outage(
    client: trackd.TrackingClient, run_id: str, proxy: FaultProxy
) -> None:
    """The case from the tracker: a merged LogBatch of 200 queued writes is committed, its
    reply is lost, and the server stays unreachable past the retry budget."""
    recorder = Recorder()
    proxy.refuse()  # the writes queue up behind an outage and are merged
    logging_client = trackd.TrackingClient(proxy.uri, interceptors=[recorder], **SHORT_RETRIES)
    pending = [
        logging_client.log_metric(run_id, "m", float(i), step=i, synchronous=False)
        for i in range(200)
    ]
    with pytest.raises(AsyncLoggingError) as outage:
        logging_client.flush()
    assert outage.value.errors == []
    assert outage.value.unconfirmed == 200
    assert not any(p.done() for p in pending)

    proxy.lose_next_reply(outage=math.inf)
    proxy.accept()
    deadline = time.monotonic() + 60
    while proxy.lost_replies == 0:  # until the batch got through and its answer was lost
        with pytest.raises(AsyncLoggingError) as lost:
            logging_client.flush()
        assert lost.value.errors == [] and lost.value.unconfirmed == 200
        assert time.monotonic() < deadline, "the batch never reached the server"
    assert _steps(client, run_id) == list(range(200))  # committed despite the lost reply

    proxy.accept()
    _flush_until_confirmed(logging_client)
    assert _steps(client, run_id) == list(range(200))  # and not a second time
    assert all(p.done() for p in pending)
    for p in pending:
        p.wait(0)
    merged = [r for r in recorder.requests("LogBatch") if len(r.metrics) == 200]
    assert len(merged) >= 2  # the committed attempt and the re-send after the outage
    ids = {(r.writes.writer_id, tuple(w.sequence for w in r.writes.writes)) for r in merged}
    assert len(ids) == 1, "a re-sent write changed its id"
    logging_client.close()


def test_a_refused_batch_is_split_under_the_same_write_ids(
    client: trackd.TrackingClient, run_id: str, proxy: FaultProxy
) -> None:
    recorder = Recorder()
    client.log_param(run_id, "optimizer", "adam")
    proxy.refuse()  # so that the three writes travel merged
    logging_client = trackd.TrackingClient(proxy.uri, interceptors=[recorder], **SHORT_RETRIES)
    before = logging_client.log_metric(run_id, "m", 1.0, step=1, synchronous=False)
    conflict = logging_client.log_param(run_id, "optimizer", "sgd", synchronous=False)
    after = logging_client.log_metric(run_id, "m", 2.0, step=2, synchronous=False)
    with pytest.raises(AsyncLoggingError):
        logging_client.flush()
    proxy.accept()
    with pytest.raises(AsyncLoggingError) as refused:
        deadline = time.monotonic() + 60
        while True:
            try:
                logging_client.flush()
            except AsyncLoggingError as error:
                if error.errors or time.monotonic() > deadline:
                    raise
    assert refused.value.unconfirmed == 0
    assert [e.reason for e in refused.value.errors] == ["PARAM_VALUE_CHANGED"]
    before.wait(0)
    after.wait(0)
    assert isinstance(conflict, PendingWrite) and conflict.done()
    assert _steps(client, run_id) == [1, 2]
    assert client.get_run(run_id).data.params == {"optimizer": "adam"}
    batches = recorder.requests("LogBatch")
    merged = [r for r in batches if len(r.writes.writes) == 3]
    singles = [r for r in batches if len(r.writes.writes) == 1]
    assert merged and singles
    first = merged[-1].writes
    assert [s.writes.writes[0].sequence for s in singles[-3:]] == [w.sequence for w in first.writes]
    assert {s.writes.writer_id for s in singles} == {first.writer_id}
    logging_client.close()


def test_outages_during_a_training_loop(
    client: trackd.TrackingClient, run_id: str, proxy: FaultProxy
) -> None:
    """Connections cut and refused, replies lost, several times while a loop logs 3000 points;
    every point is stored exactly once and no write is ever reported as failed."""
    rng = random.Random(7)
    logging_client = trackd.TrackingClient(proxy.uri, **SHORT_RETRIES)
    for step in range(3000):
        phase = step % 500
        if phase == 100:
            _flush_until_confirmed(logging_client)  # traffic flows again before the next fault
            proxy.lose_next_reply(outage=rng.choice([0.0, 0.5]))
        if phase == 300:
            proxy.refuse()
            time.sleep(0.5)  # the outage: longer than the retry budget (about 0.1 s)
        if phase == 400:
            proxy.accept()
        logging_client.log_metric(run_id, "m", step * 0.5, step=step, synchronous=False)
    proxy.disarm()
    proxy.accept()
    _flush_until_confirmed(logging_client)
    assert _steps(client, run_id) == list(range(3000))
    assert proxy.lost_replies >= 1
    logging_client.close()


def test_kill_9_of_the_server_mid_stream(
    client: trackd.TrackingClient, run_id: str, backend_url: str, tmp_path: Path
) -> None:
    port = free_port()
    process = start_server(backend_url, tmp_path, port=port).process
    logging_client = trackd.TrackingClient(f"grpc://127.0.0.1:{port}", **SHORT_RETRIES)
    try:
        for step in range(4000):
            logging_client.log_metric(run_id, "m", float(step), step=step, synchronous=False)
            if step in (1000, 2500):
                process.send_signal(signal.SIGKILL)
                process.wait()
                process = start_server(backend_url, tmp_path, port=port).process
        _flush_until_confirmed(logging_client)
        assert _steps(client, run_id) == list(range(4000))
    finally:
        logging_client.close()
        process.kill()
        process.wait()
