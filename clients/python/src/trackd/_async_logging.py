"""Asynchronous logging: metrics, params and tags queued and sent in batches by one thread.

A training loop that calls `log_metric` every step should not wait for a server round trip
each time. With `synchronous=False` (or async logging enabled for the process) a write is put
on a bounded queue and the call returns at once; a background thread coalesces consecutive
writes to the same run into LogBatch requests within the server's limits, in the order they
were made. Nothing is dropped: when the queue is full the caller waits for room.

Exactly once: every write gets an id when it is queued, (the logger's writer id, a sequence
number), and keeps it for its whole life. Each LogBatch names the ids of the writes it carries
and the server applies a write at most once, whichever batch carries it. So the sender may
regroup writes freely: a batch the server refused as a whole (one bad param fails it) is sent
again one write at a time, so that only the writes at fault fail; a batch whose outcome is
unknown (the reply was lost and the server stayed unreachable past the retry budget) is kept,
with everything queued after it, and sent again later, in order, by the background thread and
by every `flush()`, without a write ever being stored twice.

Errors are never lost either. Each call returns a `PendingWrite`; `wait()` raises the write's
own error. Failures nobody waited for are logged and raised by the next `flush()` (which
`end_run` calls), so a run never ends silently missing data. A write is reported as failed
only when the server refused it, so it was not stored; a write whose outcome is still unknown
is reported apart, as unconfirmed, and is still re-sent.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import queue
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from trackd.entities import Metric, Param, RunTag
from trackd.exceptions import TrackdError

_log = logging.getLogger("trackd")

MAX_QUEUED_WRITES = 100_000
MAX_METRICS = 1000
MAX_PARAMS = 100
MAX_TAGS = 100
# Pauses between the background re-sends of writes whose outcome is unknown.
RESEND_FIRST_DELAY_SECONDS = 1.0
RESEND_MAX_DELAY_SECONDS = 30.0

# Status codes after which a write may or may not have been stored: the request reached the
# server, or may have, and no answer came back. Any other error is the server's refusal of
# the request, which a LogBatch makes atomic: nothing of it was stored.
_OUTCOME_UNKNOWN = frozenset(
    {"UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED", "UNKNOWN", "INTERNAL", "ABORTED", "DATA_LOSS"}
)


class WriteId(NamedTuple):
    """A queued write as a LogBatch names it: its sequence number and how many of the
    request's metrics, params and tags (in order) are its own."""

    sequence: int
    metrics: int
    params: int
    tags: int


SendBatch = Callable[
    [str, Sequence[Metric], Sequence[Param], Sequence[RunTag], str, Sequence[WriteId]], None
]


class AsyncLoggingError(TrackdError):
    """Writes queued with synchronous=False did not all reach the server; raised by `flush()`.

    `errors` holds the failure of each write the server refused and nobody `wait()`ed for:
    those writes were not stored. `unconfirmed` counts the writes whose outcome is unknown
    because the server could not be reached (`cause` says why): they may have been stored,
    they keep their ids and are sent again by the background thread and the next `flush()`,
    and none of them is ever stored twice.
    """

    code = "ASYNC_WRITES_FAILED"

    def __init__(
        self,
        errors: Sequence[BaseException],
        unconfirmed: int = 0,
        cause: BaseException | None = None,
    ) -> None:
        parts = []
        if errors:
            parts.append(
                f"{len(errors)} asynchronous write(s) failed and were not stored; "
                f"the first: {errors[0]}"
            )
        if unconfirmed:
            parts.append(
                f"{unconfirmed} asynchronous write(s) could not be confirmed ({cause}); they "
                "may have been stored and are sent again later, never stored twice"
            )
        super().__init__("; ".join(parts), reason="ASYNC_WRITES_FAILED")
        self.errors = list(errors)
        self.unconfirmed = unconfirmed
        self.cause = cause

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.errors, self.unconfirmed, self.cause))


class PendingWrite:
    """The outcome of one write made with synchronous=False."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._error: BaseException | None = None
        self._observed = False

    def done(self) -> bool:
        """Whether the write's outcome is known: stored, or refused by the server. A write the
        server could not be asked about yet is not done."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the write was stored or refused; raises its error if it was refused.
        TimeoutError if its outcome is still unknown after `timeout` seconds."""
        if not self._done.wait(timeout):
            raise TimeoutError(f"the write was not confirmed within {timeout} s")
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
    sequence: int

    def write_id(self) -> WriteId:
        return WriteId(self.sequence, len(self.metrics), len(self.params), len(self.tags))


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


def _batches(writes: Sequence[_Write]) -> list[_Batch]:
    """Consecutive writes to one run merged into requests within the server's limits."""
    batches: list[_Batch] = []
    for write in writes:
        if not batches or not batches[-1].accepts(write):
            batches.append(_Batch(write.run_id))
        batches[-1].add(write)
    return batches


def _outcome_unknown(error: BaseException) -> bool:
    return isinstance(error, TrackdError) and error.code in _OUTCOME_UNKNOWN


@dataclass(frozen=True)
class _FlushMarker:
    """Set by the sender once every write queued before it has been sent."""

    sent: threading.Event


class AsyncLogger:
    """One sender thread per client and process (a forked child gets its own, with its own
    writer id)."""

    def __init__(self, send_batch: SendBatch, max_queued: int = MAX_QUEUED_WRITES) -> None:
        self._send = send_batch
        self._max_queued = max_queued
        self._queue: queue.Queue[object] = queue.Queue(max_queued)
        self._lock = threading.Lock()
        self._failed: list[PendingWrite] = []
        self.writer_id = uuid.uuid4().hex
        self._sequences = itertools.count(1)
        # Writes whose outcome is unknown, oldest first; only the sender thread changes it.
        self._backlog: list[_Write] = []
        self._backlog_cause: BaseException | None = None
        self._resend_delay = RESEND_FIRST_DELAY_SECONDS
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
        write = _Write(run_id, list(metrics), list(params), list(tags), pending, 0)
        with self._lock:  # unique ids whatever the threads that log
            write.sequence = next(self._sequences)
        self._queue.put(write)
        return pending

    def flush(self, timeout: float | None = None) -> None:
        """Sends every write queued before this call (and any whose outcome was unknown).

        Raises AsyncLoggingError for writes the server refused and whose `wait()` was never
        called, and for writes still unconfirmed because the server could not be reached.
        TimeoutError if the sending took longer than `timeout` seconds."""
        marker = _FlushMarker(threading.Event())
        self._queue.put(marker)
        if not marker.sent.wait(timeout):
            raise TimeoutError(f"asynchronous writes were not all sent within {timeout} s")
        with self._lock:
            failed, self._failed = self._failed, []
            unconfirmed, cause = len(self._backlog), self._backlog_cause
        errors = [p._error for p in failed if p._error is not None and not p._observed]
        if errors or unconfirmed:
            raise AsyncLoggingError(errors, unconfirmed, cause)

    def _run(self) -> None:
        while True:
            try:
                # With writes of unknown outcome, wake up now and then to send them again.
                item = self._queue.get(timeout=self._resend_delay if self._backlog else None)
            except queue.Empty:
                self._deliver([])
                continue
            items = [item]
            # Take whatever else is already queued, without waiting, to batch it; but while
            # the server is unreachable, hold no more than a queue's worth in memory.
            room = max(0, self._max_queued - len(self._backlog))
            while len(items) < min(MAX_METRICS, room + 1):
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._send_all(items)

    def _send_all(self, items: list[object]) -> None:
        writes: list[_Write] = []
        for item in items:
            if isinstance(item, _Write):
                writes.append(item)
            elif isinstance(item, _FlushMarker):  # send what precedes it first
                self._deliver(writes)
                writes = []
                item.sent.set()
        if writes:
            self._deliver(writes)

    def _deliver(self, writes: list[_Write]) -> None:
        """Sends the backlog and then `writes`, in order. At the first batch whose outcome is
        unknown, it and everything after it become the backlog: sending later writes first
        could let an older tag value overwrite a newer one."""
        with self._lock:
            pending = self._backlog + writes
        batches = _batches(pending)
        for i, batch in enumerate(batches):
            left, error = self._send_batch(batch)
            if left:
                rest = [w for b in batches[i + 1 :] for w in b.writes]
                self._hold(left + rest, error)
                return
        if self._backlog:
            _log.warning("trackd: the unconfirmed asynchronous writes are now stored")
        self._hold([], None)

    def _hold(self, backlog: list[_Write], cause: BaseException | None) -> None:
        if backlog and not self._backlog:
            _log.warning(
                "trackd: %d asynchronous write(s) could not be confirmed (%s); they keep "
                "their ids and are sent again in the background and by flush()",
                len(backlog),
                cause,
            )
        if backlog:
            self._resend_delay = min(RESEND_MAX_DELAY_SECONDS, self._resend_delay * 2)
        else:
            self._resend_delay = RESEND_FIRST_DELAY_SECONDS
        with self._lock:
            self._backlog, self._backlog_cause = backlog, cause

    def _send_batch(self, batch: _Batch) -> tuple[list[_Write], BaseException | None]:
        """Sends one batch. Returns the writes whose outcome stays unknown (a prefix of the
        rest of the batch is kept with them, in order) and the error that left them so."""
        try:
            self._send(
                batch.run_id,
                [m for w in batch.writes for m in w.metrics],
                [p for w in batch.writes for p in w.params],
                [t for w in batch.writes for t in w.tags],
                self.writer_id,
                [w.write_id() for w in batch.writes],
            )
        except Exception as error:
            if _outcome_unknown(error):
                return batch.writes, error
            if len(batch.writes) == 1:
                self._fail(batch.writes[0], error)
                return [], None
            # Refused as a whole, so nothing of it was stored: find the writes at fault by
            # sending each alone, under the same ids.
            for i, write in enumerate(batch.writes):
                single = _Batch(write.run_id)
                single.add(write)
                left, cause = self._send_batch(single)
                if left:
                    return left + batch.writes[i + 1 :], cause
            return [], None
        for write in batch.writes:
            write.pending._finish(None)
        return [], None

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
