"""Moving streamed bodies between uvicorn's event loop and the worker threads.

Upload: the servicer runs on a worker and iterates the request body; each step asks the loop
for the next ASGI `http.request` event (`run_coroutine_threadsafe(receive())`). uvicorn stops
reading the socket while a received piece waits to be taken (its flow control), so memory is
bounded by one piece in flight plus the one message the servicer holds, whatever the file size.

Download: the loop sends the headers, then asks a worker for each next piece of content and
sends it; `send` waits while the socket's write buffer is full. A watcher notices a client that
went away, and the servicer's stream is then closed (releasing the file) instead of read to
its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from trackd_server.api.http.errors import HttpError
from trackd_server.api.http.streaming import DownloadStream

log = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# A client that sends nothing for this long has its upload cancelled, so a stalled upload
# cannot hold a worker thread forever.
UPLOAD_IDLE_SECONDS = 300.0


class ReceivedBody:
    """The request body as an iterator of byte pieces, for a worker thread.

    Iterating raises HttpError CANCELLED when the client disconnects before the end, and
    DEADLINE_EXCEEDED when it stalls; the servicer then discards what it received.
    """

    def __init__(
        self,
        receive: Receive,
        loop: asyncio.AbstractEventLoop,
        idle_seconds: float = UPLOAD_IDLE_SECONDS,
    ) -> None:
        self._receive = receive
        self._loop = loop
        self._idle_seconds = idle_seconds
        self.started = False
        self.complete = False
        self.bytes_received = 0

    async def _pull(self) -> dict[str, Any]:
        return await self._receive()

    def _next_event(self) -> dict[str, Any]:
        self.started = True
        future = asyncio.run_coroutine_threadsafe(self._pull(), self._loop)
        try:
            return future.result(timeout=self._idle_seconds)
        except FutureTimeout:
            future.cancel()
            raise HttpError(
                "DEADLINE_EXCEEDED",
                "UPLOAD_STALLED",
                f"no body data for {self._idle_seconds:.0f} s; the upload was cancelled",
            ) from None

    def __iter__(self) -> Iterator[bytes]:
        while not self.complete:
            event = self._next_event()
            if event["type"] == "http.disconnect":
                raise HttpError(
                    "CANCELLED",
                    "CLIENT_DISCONNECTED",
                    f"the client went away after {self.bytes_received} bytes of the body",
                )
            data = event.get("body", b"")
            if not event.get("more_body", False):
                self.complete = True
            if data:
                self.bytes_received += len(data)
                yield data


# After an early error, at most this much of the rest of a body is read (and dropped) so the
# client gets to read the answer; a longer remainder is cut off by closing the connection.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
DRAIN_SECONDS = 10.0


async def drain_body(receive: Receive) -> None:
    """Reads and drops what is left of a request body, within DRAIN_LIMIT_BYTES and
    DRAIN_SECONDS."""

    async def drain() -> None:
        dropped = 0
        while dropped <= DRAIN_LIMIT_BYTES:
            event = await receive()
            if event["type"] == "http.disconnect" or not event.get("more_body", False):
                return
            dropped += len(event.get("body", b""))

    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(drain(), DRAIN_SECONDS)


async def _disconnected(receive: Receive) -> None:
    """Returns when the client has gone (or the response is complete)."""
    while True:
        event = await receive()
        if event["type"] == "http.disconnect":
            return


async def send_download(
    stream: DownloadStream, receive: Receive, send: Send, executor: Executor
) -> None:
    """Sends an opened download. A failure after the headers cannot change the status: the
    connection is then closed before the announced length, which every client sees as an
    incomplete transfer rather than a short file."""
    loop = asyncio.get_running_loop()
    watcher = asyncio.ensure_future(_disconnected(receive))
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stream.headers]
    if stream.content_length is not None:
        headers.append((b"content-length", str(stream.content_length).encode()))
    sent = 0
    try:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        while True:
            chunk = await loop.run_in_executor(executor, next, stream.chunks, None)
            if watcher.done():
                log.info("download ended early: the client disconnected after %d bytes", sent)
                return
            if chunk is None:
                break
            sent += len(chunk)
            if stream.content_length is not None and sent > stream.content_length:
                log.error("download: more content than the announced %d bytes", sent)
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if stream.content_length is not None and sent != stream.content_length:
            log.error(
                "download: %d bytes of content, %d announced; connection closed",
                sent,
                stream.content_length,
            )
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    except Exception as exc:
        # Returning without completing the response makes uvicorn close the connection.
        log.warning("download failed after %d bytes: %s", sent, exc)
    finally:
        watcher.cancel()
        try:
            await loop.run_in_executor(executor, stream.close)
        except RuntimeError:
            # The pool is shutting down (server stop): close here; it only releases a file.
            stream.close()
