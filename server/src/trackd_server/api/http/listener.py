"""The HTTP/JSON listener: the Starlette application (app.py) on uvicorn, in a background
thread of the server process.

uvicorn parses HTTP (keep-alive, chunked bodies, pipelining, slow clients) on an asyncio loop
in its own thread; the servicers run on worker threads. The gRPC server and this listener
share the servicer objects, hence one store and one pool. The socket is opened here rather
than by uvicorn so that bind errors surface before any thread starts, Nagle is off, and the
port is shared (SO_REUSEPORT) only when asked for.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
from collections.abc import Mapping, Sequence

import uvicorn

from trackd_server.api.http.app import application
from trackd_server.api.http.services import bind_servicers
from trackd_server.api.http.transcoder import DEFAULT_MAX_BODY_BYTES, Transcoder

log = logging.getLogger(__name__)


class HttpServerHandle:
    """A running HTTP/JSON listener. `port` is the bound port (useful when 0 was asked for)."""

    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        host: str,
        port: int,
    ) -> None:
        self._server = server
        self._thread = thread
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
    config = uvicorn.Config(
        application(transcoder, max_workers),
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
    handle = HttpServerHandle(server, thread, host, bound_port)
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
