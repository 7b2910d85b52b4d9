"""The HTTP/JSON listener: uvicorn in a background thread, servicer calls on a thread pool.

uvicorn parses HTTP (keep-alive, chunked bodies, pipelining, slow clients) on an asyncio loop
in its own thread; the servicers are blocking (they wait on the database), so each request is
decoded, executed and encoded on a bounded `ThreadPoolExecutor`, never on the loop. The
gRPC server and this listener share the servicer objects, hence one store and one pool.
Streamed bodies (artifact uploads and downloads) move between the two sides piece by piece
(body_stream.py), so neither side ever holds a whole file.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import socket
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn

from trackd_server.api.http.body_stream import ReceivedBody, drain_body, send_download
from trackd_server.api.http.services import bind_servicers
from trackd_server.api.http.transcoder import (
    DEFAULT_MAX_BODY_BYTES,
    HttpRequest,
    HttpResponse,
    Transcoder,
    body_too_large,
    error_response,
)

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class _TooLarge(Exception):
    pass


def _peer(client: Sequence[Any]) -> str:
    """The client address in gRPC's peer form."""
    host, port = client[0], client[1]
    return f"ipv6:[{host}]:{port}" if ":" in str(host) else f"ipv4:{host}:{port}"


def _expects_continue(request: HttpRequest) -> bool:
    return any(v.strip().lower() == "100-continue" for v in request.header_values("expect"))


class TranscodingApp:
    """The ASGI application: reads the body (bounded), hands the request to the transcoder on
    the worker pool and writes its answer; artifact bodies are streamed instead (uploads are
    pulled by the worker as the servicer reads them, downloads pushed as they are read)."""

    def __init__(self, transcoder: Transcoder, executor: ThreadPoolExecutor) -> None:
        self._transcoder = transcoder
        self._executor = executor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        client = scope.get("client") or ("", 0)
        request = HttpRequest(
            method=scope["method"],
            path=scope.get("raw_path", scope["path"].encode()).decode("latin-1").split("?")[0],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            peer=_peer(client),
        )
        loop = asyncio.get_running_loop()
        kind = self._transcoder.streaming_kind(request.method, request.path)
        if kind == "upload":
            await self._upload(request, receive, send)
            return
        try:
            body = await self._read_body(scope, receive)
        except _TooLarge:
            await self._send(send, error_response(body_too_large(self._transcoder.max_body_bytes)))
            return
        request = dataclasses.replace(request, body=body)
        if kind == "download":
            opened = await loop.run_in_executor(
                self._executor, self._transcoder.open_download, request
            )
            if isinstance(opened, HttpResponse):
                await self._send(send, opened)
            else:
                await send_download(opened, receive, send, self._executor)
            return
        response = await loop.run_in_executor(self._executor, self._transcoder.handle, request)
        await self._send(send, response)

    async def _upload(self, request: HttpRequest, receive: Receive, send: Send) -> None:
        """Runs the upload on a worker, which pulls the body from the loop as it goes."""
        loop = asyncio.get_running_loop()
        body = ReceivedBody(receive, loop)
        response = await loop.run_in_executor(
            self._executor, self._transcoder.upload, request, body
        )
        if not body.complete:
            # An early answer (an error) before the whole body. A client that asked for
            # "100-continue" and was not told to go on has sent nothing more; any other client
            # is still sending and would not read the answer before it has sent everything, so
            # the rest is read and dropped (up to a bound). Either way the connection closes.
            if body.started or not _expects_continue(request):
                await drain_body(receive)
            response = dataclasses.replace(
                response, headers=(*response.headers, ("connection", "close"))
            )
        await self._send(send, response)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self._transcoder.max_body_bytes
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                break
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not event.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    async def _send(send: Send, response: HttpResponse) -> None:
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})


class HttpServerHandle:
    """A running HTTP/JSON listener. `port` is the bound port (useful when 0 was asked for)."""

    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        executor: ThreadPoolExecutor,
        host: str,
        port: int,
    ) -> None:
        self._server = server
        self._thread = thread
        self._executor = executor
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, grace: float | None = None) -> None:
        """Stops accepting connections, lets requests in flight finish for up to `grace`
        seconds (None: wait for them), then closes the rest. Safe to call twice."""
        self._server.config.timeout_graceful_shutdown = None if grace is None else math.ceil(grace)
        self._server.should_exit = True
        self._thread.join(None if grace is None else grace + 5)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(5)
        self._executor.shutdown(wait=grace is None, cancel_futures=True)

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the listener has stopped."""
        self._thread.join(timeout)


def _listen(host: str, port: int, share_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP by name, not 0: asyncio turns Nagle off (TCP_NODELAY) only on accepted
    # sockets whose `proto` says TCP, and accepted sockets copy it from this one. Without it
    # every answer on a kept-alive connection waited ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if share_port and hasattr(socket, "SO_REUSEPORT"):
        # `trackd server --workers N` runs N processes on one port, as gRPC does
        # (grpc.so_reuseport); the kernel spreads connections over them. Only then: a port
        # shared by accident would split requests between two unrelated servers.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def serve(
    servicers: Sequence[object] | Mapping[str, object],
    host: str,
    port: int,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_workers: int = 16,
    share_port: bool = False,
    startup_timeout: float = 30.0,
) -> HttpServerHandle:
    """Starts serving every RPC of `servicers` as HTTP/JSON on host:port and returns once the
    socket accepts connections.

    `servicers` are the objects the gRPC server uses: each is bound to the service whose
    generated `<Service>Servicer` class it subclasses; or pass {"trackd.v1.RunService":
    servicer, ...}. Bind errors (port in use) raise OSError here, before any thread starts;
    `share_port` lets other processes listen on the same port (SO_REUSEPORT, for --workers).
    """
    transcoder = Transcoder(bind_servicers(servicers), max_body_bytes=max_body_bytes)
    sock = _listen(host, port, share_port)
    bound_port = int(sock.getsockname()[1])
    executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="trackd-http")
    config = uvicorn.Config(
        TranscodingApp(transcoder, executor),
        lifespan="off",
        http="h11",
        loop="asyncio",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_keep_alive=30,
    )
    # uvicorn announces "Started server process" at INFO; we announce the listener ourselves.
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="trackd-http", daemon=True
    )
    thread.start()
    handle = HttpServerHandle(server, thread, executor, host, bound_port)
    deadline = threading.Event()
    for _ in range(int(startup_timeout / 0.01)):
        if server.started or not thread.is_alive():
            break
        deadline.wait(0.01)
    if not server.started:
        handle.stop(0)
        raise RuntimeError(f"HTTP/JSON listener on {host}:{port} did not start")
    log.info("trackd HTTP/JSON serving at http://%s:%d", host, bound_port)
    return handle
