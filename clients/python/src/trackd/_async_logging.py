"""Asynchronous logging: metrics, params and tags queued and sent in batches by one thread.

A training loop that calls `log_metric` every step should not wait for a server round trip
each time. With `synchronous=False` (or async logging enabled for the process) a write is put
on a bounded queue and the call returns at once; a background thread coalesces consecutive
writes to the same run into LogBatch requests within the server's limits, in the order they
were made. Nothing is dropped: when the queue is full the caller waits for room.

Errors are never lost either. Each call returns a `PendingWrite`; `wait()` raises the write's
own error. A batch the server refuses as a whole (one bad param would fail it) is resent one
write at a time, so only the writes at fault fail. Failures nobody waited for are logged and
raised by the next `flush()` (which `end_run` calls), so a run never ends silently missing data.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from trackd.entities import Metric, Param, RunTag
from trackd.exceptions import TrackdError

_log = logging.getLogger("trackd")

MAX_QUEUED_WRITES = 100_000
MAX_METRICS = 1000
MAX_PARAMS = 100
MAX_TAGS = 100

SendBatch = Callable[[str, Sequence[Metric], Sequence[Param], Sequence[RunTag]], None]


class AsyncLoggingError(TrackdError):
    """Writes queued with synchronous=False failed and nobody waited for them; raised by
    `flush()`. `errors` holds each failure; the message names the first."""

    code = "ASYNC_WRITES_FAILED"

    def __init__(self, errors: Sequence[BaseException]) -> None:
        super().__init__(
            f"{len(errors)} asynchronous write(s) failed; the first: {errors[0]}",
            reason="ASYNC_WRITES_FAILED",
        )
        self.errors = list(errors)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.errors,))


class PendingWrite:
    """The outcome of one write made with synchronous=False."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._error: BaseException | None = None
        self._observed = False

    def done(self) -> bool:
        """Whether the write has been sent (successfully or not)."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the write was sent; raises its error if it failed. TimeoutError if it is
        still queued after `timeout` seconds."""
        if not self._done.wait(timeout):
            raise TimeoutError(f"the write was not sent within {timeout} s")
        self._observed = True
        if self._error is not None:
            raise self._error

    def _finish(self, error: BaseException | None) -> None:
        self._error = error
        self._done.set()


@dataclass
class _Write:
    run_id: str
    metrics: Sequence[Metric]
    params: Sequence[Param]
    tags: Sequence[RunTag]
    pending: PendingWrite


@dataclass
class _Batch:
    run_id: str
    writes: list[_Write] = field(default_factory=list)
    metrics: int = 0
    params: int = 0
    tags: int = 0
    param_keys: set[str] = field(default_factory=set)

    def accepts(self, write: _Write) -> bool:
        return (
            write.run_id == self.run_id
            and self.metrics + len(write.metrics) <= MAX_METRICS
            and self.params + len(write.params) <= MAX_PARAMS
            and self.tags + len(write.tags) <= MAX_TAGS
            # A param key twice in one request would be refused; keep such writes apart.
            and not self.param_keys.intersection(p.key for p in write.params)
        )

    def add(self, write: _Write) -> None:
        self.writes.append(write)
        self.metrics += len(write.metrics)
        self.params += len(write.params)
        self.tags += len(write.tags)
        self.param_keys.update(p.key for p in write.params)


@dataclass(frozen=True)
class _FlushMarker:
    """Set by the sender once every write queued before it has been sent."""

    sent: threading.Event


class AsyncLogger:
    """One sender thread per client and process (a forked child gets its own)."""

    def __init__(self, send_batch: SendBatch, max_queued: int = MAX_QUEUED_WRITES) -> None:
        self._send = send_batch
        self._queue: queue.Queue[object] = queue.Queue(max_queued)
        self._lock = threading.Lock()
        self._failed: list[PendingWrite] = []
        self._thread = threading.Thread(target=self._run, name="trackd-async-logging", daemon=True)
        self._pid = os.getpid()
        self._thread.start()
        _live_loggers.add(self)

    @property
    def owner_pid(self) -> int:
        return self._pid

    def submit(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> PendingWrite:
        """Queues one write (waiting for room if the queue is full) and returns its handle."""
        pending = PendingWrite()
        self._queue.put(_Write(run_id, list(metrics), list(params), list(tags), pending))
        return pending

    def flush(self, timeout: float | None = None) -> None:
        """Waits until every write queued before this call was sent. Raises AsyncLoggingError
        for writes that failed and whose `wait()` was never called."""
        marker = _FlushMarker(threading.Event())
        self._queue.put(marker)
        if not marker.sent.wait(timeout):
            raise TimeoutError(f"asynchronous writes were not all sent within {timeout} s")
        with self._lock:
            failed, self._failed = self._failed, []
        errors = [p._error for p in failed if p._error is not None and not p._observed]
        if errors:
            raise AsyncLoggingError(errors)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            items = [item]
            # Take whatever else is already queued, without waiting, to batch it.
            while len(items) < MAX_METRICS:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._send_all(items)

    def _send_all(self, items: list[object]) -> None:
        batch: _Batch | None = None
        for item in items:
            if isinstance(item, _Write):
                if batch is not None and batch.accepts(item):
                    batch.add(item)
                    continue
                if batch is not None:
                    self._send_batch(batch)
                batch = _Batch(item.run_id)
                batch.add(item)
            elif isinstance(item, _FlushMarker):  # send what precedes it first
                if batch is not None:
                    self._send_batch(batch)
                    batch = None
                item.sent.set()
        if batch is not None:
            self._send_batch(batch)

    def _send_batch(self, batch: _Batch) -> None:
        try:
            self._send(
                batch.run_id,
                [m for w in batch.writes for m in w.metrics],
                [p for w in batch.writes for p in w.params],
                [t for w in batch.writes for t in w.tags],
            )
        except Exception as error:
            if len(batch.writes) == 1:
                self._fail(batch.writes[0], error)
                return
            # The request failed as a whole: find the writes at fault by sending each alone.
            for write in batch.writes:
                single = _Batch(write.run_id)
                single.add(write)
                self._send_batch(single)
            return
        for write in batch.writes:
            write.pending._finish(None)

    def _fail(self, write: _Write, error: BaseException) -> None:
        _log.warning("asynchronous write to run %s failed: %s", write.run_id, error)
        with self._lock:
            self._failed.append(write.pending)
        write.pending._finish(error)


_live_loggers: weakref.WeakSet[AsyncLogger] = weakref.WeakSet()


def flush_all_at_exit() -> None:
    """Sends what is still queued before the interpreter exits (registered with atexit)."""
    for logger in list(_live_loggers):
        if logger.owner_pid != os.getpid():
            continue
        try:
            logger.flush(timeout=60)
        except (TrackdError, TimeoutError) as error:
            _log.warning("asynchronous writes lost or failed at exit: %s", error)


atexit.register(flush_all_at_exit)
