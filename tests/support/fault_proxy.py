"""A TCP proxy on loopback that injects the network faults clients must survive.

It forwards bytes between a client and a real trackd server's gRPC port, and on request:
- refuses connections (the listening socket is closed, open connections are cut) until
  `accept()` is called again, on the same port;
- loses the next reply: the server's answer to the next call (the HTTP/2 HEADERS frame that
  opens a response, sent once the handler has finished, so after the server committed) is
  dropped and the connection cut, optionally followed by an outage (connections refused for a
  while, or until `accept()`), so that the client's retries find nobody listening.
The server side is never touched: whatever it committed stays committed.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
from types import TracebackType

from tests.support.servers import free_port

_FRAME_HEADER = 9
_HEADERS = 0x1


class _Connection:
    def __init__(self, proxy: FaultProxy, client: socket.socket, server: socket.socket) -> None:
        self._proxy = proxy
        self.client, self.server = client, server
        self._closed = threading.Event()
        threading.Thread(target=self._upstream, daemon=True).start()
        threading.Thread(target=self._downstream, daemon=True).start()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _upstream(self) -> None:
        try:
            while data := self.client.recv(65536):
                self.server.sendall(data)
        except OSError:
            pass
        self.close()

    def _downstream(self) -> None:
        # The server's bytes are HTTP/2 frames from the first byte on (the server's preface is
        # a SETTINGS frame), so frame boundaries are known without any handshake parsing.
        buffer = b""
        try:
            while data := self.server.recv(65536):
                buffer += data
                while len(buffer) >= _FRAME_HEADER:
                    length = int.from_bytes(buffer[:3], "big")
                    if len(buffer) < _FRAME_HEADER + length:
                        break
                    frame, buffer = (
                        buffer[: _FRAME_HEADER + length],
                        buffer[_FRAME_HEADER + length :],
                    )
                    stream = int.from_bytes(frame[5:9], "big") & 0x7FFFFFFF
                    if frame[3] == _HEADERS and stream and self._proxy._take_reply():
                        self.close()
                        return
                    self.client.sendall(frame)
        except OSError:
            pass
        self.close()


class FaultProxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`upstream_port`; see the module docstring."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.lost_replies = 0
        self.connections_accepted = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._connections: list[_Connection] = []
        self._lose_replies = 0
        self._outage_after_loss = 0.0
        self._timers: list[threading.Timer] = []

    @property
    def uri(self) -> str:
        return f"grpc://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self.accept()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for timer in self._timers:
            timer.cancel()
        self.refuse()

    def accept(self) -> None:
        """Listens (again) on the proxy's port."""
        with self._lock:
            if self._listener is not None:
                return
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            listener.settimeout(0.05)
            self._listener = listener
        threading.Thread(target=self._accept_loop, args=(listener,), daemon=True).start()

    def refuse(self) -> None:
        """Closes the port (new connections are refused) and cuts every open connection."""
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, []
        if listener is not None:
            # shutdown() stops the listening at once; close() alone would leave the port
            # listening until the accept thread's poll returns.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for connection in connections:
            connection.close()

    def lose_next_reply(self, outage: float = 0.0) -> None:
        """The server's next answer is dropped and its connection cut; then connections are
        refused for `outage` seconds (math.inf: until `accept()`)."""
        with self._lock:
            self._lose_replies += 1
            self._outage_after_loss = outage

    def disarm(self) -> None:
        """Forgets replies still to be lost."""
        with self._lock:
            self._lose_replies = 0

    def _take_reply(self) -> bool:
        with self._lock:
            if not self._lose_replies:
                return False
            self._lose_replies -= 1
            self.lost_replies += 1
            outage = self._outage_after_loss
        if outage > 0:
            self.refuse()
            if outage != math.inf:
                timer = threading.Timer(outage, self.accept)
                self._timers.append(timer)
                timer.start()
        return True

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            with self._lock:
                if self._listener is not listener:
                    return
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self.connections_accepted += 1
                self._connections.append(_Connection(self, client, server))
