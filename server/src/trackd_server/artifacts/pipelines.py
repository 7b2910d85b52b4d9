"""Threads that overlap the stages of a transfer: writing an upload while it is hashed, and
reading a download ahead while the previous chunk is sent.

SHA-256, file reads and file writes all release the GIL, so on two threads they overlap: a
transfer then goes as fast as its slowest stage instead of the sum of them. At most `depth`
chunks wait between the threads, so memory stays bounded; an error on the helper thread
surfaces on the calling thread.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from types import TracebackType


class WriteBehind:
    """`write(chunk)` queues the chunk for `sink` on a background thread, in order.

    Used as a context manager: a normal exit waits until every chunk was written (and raises
    the writer's error, if any); an exit by exception stops the writer without waiting for the
    chunks still queued, which are dropped.
    """

    def __init__(self, sink: Callable[[bytes], object], depth: int = 1) -> None:
        self._sink = sink
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, name="trackd-artifact-writer", daemon=True
        )

    def __enter__(self) -> WriteBehind:
        self._thread.start()
        return self

    def write(self, chunk: bytes) -> None:
        """Queues `chunk`; blocks while `depth` chunks are waiting."""
        if self._error is not None:
            raise self._error
        self._queue.put(chunk)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._stopping = True
            self._drain()
        self._queue.put(None)  # the end
        self._thread.join()
        if kind is None and self._error is not None:
            raise self._error

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is not None or self._stopping:
                continue  # keep taking chunks so that the receiving thread never blocks
            try:
                self._sink(chunk)
            except BaseException as exc:  # handed to the receiving thread
                self._error = exc


class ReadAhead:
    """Calls `read()` on a background thread until it returns b"", keeping up to `depth`
    results ready for `next()`; `close` stops it (call it whether or not the end came)."""

    def __init__(self, read: Callable[[], bytes], depth: int = 1) -> None:
        self._read = read
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=depth)
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="trackd-artifact-reader", daemon=True
        )
        self._thread.start()

    def next(self) -> bytes:
        """The next result of `read()` in order; b"" at the end. Raises what `read` raised."""
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        """Stops the thread and waits for it (it may be inside one `read`)."""
        self._stopping.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)  # unblocks a `put` on a full queue
        self._thread.join()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self._read()
            except BaseException as exc:  # handed to the reading thread
                self._put(exc)
                return
            self._put(data)
            if not data:
                return

    def _put(self, item: bytes | BaseException) -> None:
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return
            except queue.Full:
                continue
