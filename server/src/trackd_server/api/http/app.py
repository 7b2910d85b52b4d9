"""The Starlette application that serves every HTTP route.

Starlette carries the plumbing: requests and their body streams, responses (streamed ones
included) and the hand-off of blocking work to threads (anyio, bounded by a CapacityLimiter
of `max_workers`, since the servicers wait on the database). One catch-all route hands each
request to the transcoder's route table, built from the `google.api.http` annotations and
matched once per request. What is written by hand protects users or the server:
- the body limit, enforced before and while reading: a body announced or found to be larger
  is answered 413 without reading the rest, and the connection is closed;
- uploads pulled piece by piece by the servicer's thread (`_BodyPieces`), so an artifact body
  is never held whole; downloads read piece by piece as they are sent (`_DownloadResponse`);
- an upload refused early drains a bounded rest of the body so the client reads the answer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Send

from trackd_server.api.http.errors import HttpError
from trackd_server.api.http.streaming import DownloadStream
from trackd_server.api.http.transcoder import (
    HttpRequest,
    HttpResponse,
    Matched,
    Transcoder,
    body_too_large,
    error_response,
)

log = logging.getLogger(__name__)

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# A client that sends nothing for this long has its upload cancelled, so a stalled upload
# cannot hold a worker thread forever.
UPLOAD_IDLE_SECONDS = 300.0
# After an upload is refused early, at most this much of the rest of its body is read (and
# dropped), within DRAIN_SECONDS, so that a client still sending reads the answer; a longer
# remainder is cut off by closing the connection.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
DRAIN_SECONDS = 10.0


class _TooLarge(Exception):
    pass


class _BodyPieces:
    """An upload's body as an iterator for the servicer's worker thread: each step runs the
    next read of Starlette's body stream on the event loop. uvicorn stops reading the socket
    while a received piece waits, so memory is bounded by the piece in flight.

    Iterating raises HttpError CANCELLED when the client disconnects before the end and
    DEADLINE_EXCEEDED when it stalls; the servicer then discards what it received."""

    def __init__(self, request: Request, idle_seconds: float = UPLOAD_IDLE_SECONDS) -> None:
        self._stream = request.stream()
        self._idle_seconds = idle_seconds
        self.started = False
        self.complete = False
        self.bytes_received = 0

    async def _next(self) -> bytes:
        with anyio.fail_after(self._idle_seconds):
            return await self._stream.__anext__()

    def __iter__(self) -> Iterator[bytes]:
        self.started = True
        while not self.complete:
            try:
                piece = anyio.from_thread.run(self._next)
            except StopAsyncIteration:
                piece = b""
            except ClientDisconnect:
                raise HttpError(
                    "CANCELLED",
                    "CLIENT_DISCONNECTED",
                    f"the client went away after {self.bytes_received} bytes of the body",
                ) from None
            except TimeoutError:
                raise HttpError(
                    "DEADLINE_EXCEEDED",
                    "UPLOAD_STALLED",
                    f"no body data for {self._idle_seconds:.0f} s; the upload was cancelled",
                ) from None
            if not piece:  # Starlette ends a consumed body with b""
                self.complete = True
                return
            self.bytes_received += len(piece)
            yield piece

    async def drain(self) -> None:
        """Reads and drops what is left, within DRAIN_LIMIT_BYTES and DRAIN_SECONDS."""
        dropped = 0
        with anyio.move_on_after(DRAIN_SECONDS):
            try:
                async for piece in self._stream:
                    dropped += len(piece)
                    if dropped > DRAIN_LIMIT_BYTES:
                        return
            except (ClientDisconnect, RuntimeError):
                return


class _DownloadFailed(Exception):
    pass


class _DownloadResponse(StreamingResponse):
    """A download whose content may fail after the headers: the status cannot change then,
    so the response is left incomplete and uvicorn closes the connection before the announced
    Content-Length, which every client sees as an incomplete transfer, never a short file."""

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        except _DownloadFailed as exc:
            log.warning("download ended early: %s; connection closed", exc)


def _peer(client: Any) -> str:
    """The client address in gRPC's peer form."""
    host, port = (client.host, client.port) if client else ("", 0)
    return f"ipv6:[{host}]:{port}" if ":" in str(host) else f"ipv4:{host}:{port}"


def _response(answer: HttpResponse) -> Response:
    return Response(answer.body, answer.status, headers=dict(answer.headers))


class Gateway:
    """The endpoint behind Starlette's one route."""

    def __init__(self, transcoder: Transcoder, max_workers: int) -> None:
        self._transcoder = transcoder
        self._limiter = anyio.CapacityLimiter(max_workers)

    async def _in_thread(self, func: Any, *args: Any) -> Any:
        return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)

    async def endpoint(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.scope["path"].encode()
        http_request = HttpRequest(
            method=request.method,
            path=raw_path.decode("latin-1").split("?")[0],
            query=request.scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            peer=_peer(request.client),
        )
        try:
            matched = self._transcoder.match(http_request.method, http_request.path)
        except HttpError as exc:
            matched, refusal = None, exc
        try:
            if matched is not None and matched.kind == "upload":
                return await self._upload(request, http_request, matched)
            try:
                body = await self._read_body(request)
            except _TooLarge:
                return _response(error_response(body_too_large(self._transcoder.max_body_bytes)))
            if matched is None:
                return _response(error_response(refusal))
            http_request = HttpRequest(
                http_request.method,
                http_request.path,
                http_request.query,
                http_request.headers,
                body,
                http_request.peer,
            )
            if matched.kind == "download":
                return await self._download(http_request, matched)
            return _response(await self._in_thread(self._transcoder.handle, http_request, matched))
        except ClientDisconnect:
            return Response(status_code=499)  # nobody reads it; uvicorn drops it

    async def _read_body(self, request: Request) -> bytes:
        """The whole body, refused (without reading further) once it exceeds the limit: by
        its Content-Length before any byte is read, by its size while a chunked one arrives."""
        limit = self._transcoder.max_body_bytes
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _upload(
        self, request: Request, http_request: HttpRequest, matched: Matched
    ) -> Response:
        body = _BodyPieces(request)
        answer: HttpResponse = await self._in_thread(
            self._transcoder.upload, http_request, body, matched
        )
        if not body.complete:
            # An early answer (an error) before the whole body. A client that asked for
            # "100-continue" and was not told to go on has sent nothing more; any other client
            # is still sending and would not read the answer before it has sent everything, so
            # a bounded rest is read and dropped. Either way the connection closes.
            expects_continue = request.headers.get("expect", "").lower() == "100-continue"
            if body.started or not expects_continue:
                await body.drain()
            answer = HttpResponse(
                answer.status, answer.body, (*answer.headers, ("connection", "close"))
            )
        return _response(answer)

    async def _download(self, http_request: HttpRequest, matched: Matched) -> Response:
        opened = await self._in_thread(self._transcoder.open_download, http_request, matched)
        if isinstance(opened, HttpResponse):
            return _response(opened)
        headers = dict(opened.headers)
        if opened.content_length is not None:
            headers["content-length"] = str(opened.content_length)
        return _DownloadResponse(self._content(opened), 200, headers=headers)

    async def _content(self, stream: DownloadStream) -> AsyncIterator[bytes]:
        """The download's pieces, each read on a worker; the servicer's stream is closed at
        the end, on failure, and when the client goes away (Starlette cancels the sending)."""
        sent = 0
        try:
            while True:
                try:
                    chunk = await self._in_thread(next, stream.chunks, None)
                except Exception as exc:
                    raise _DownloadFailed(f"{exc} after {sent} bytes") from exc
                if chunk is None:
                    break
                sent += len(chunk)
                if stream.content_length is not None and sent > stream.content_length:
                    raise _DownloadFailed(f"more than the announced {stream.content_length} bytes")
                yield chunk
            if stream.content_length is not None and sent != stream.content_length:
                raise _DownloadFailed(f"{sent} bytes, {stream.content_length} announced")
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(stream.close)


def application(transcoder: Transcoder, max_workers: int) -> Starlette:
    """The ASGI application: every path and method goes to the transcoder's route table."""
    gateway = Gateway(transcoder, max_workers)
    return Starlette(routes=[Route("/{path:path}", gateway.endpoint, methods=METHODS)])
