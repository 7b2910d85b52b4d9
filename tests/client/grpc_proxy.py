"""A gRPC proxy on loopback in front of a real trackd server, to see and disturb each attempt.

gRPC retries below the client's interceptors, so only something on the wire sees every
attempt: this proxy is a real gRPC server on a free port that forwards unary calls, as bytes,
to the real server. It records each attempt (the parsed request and its metadata) and can fail
the next attempts of a method in two ways:

- `unavailable`: answers UNAVAILABLE without forwarding (the server is briefly down);
- `lose_reply`: forwards, lets the real server commit and answer, then drops that answer and
  returns UNAVAILABLE (the connection broke after the server committed).

Both answers carry no headers (trailers only), as a failing server's do; gRPC retries those.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
import trackd.v1.artifact_service_pb2
import trackd.v1.experiment_service_pb2
import trackd.v1.metric_service_pb2
import trackd.v1.run_service_pb2  # noqa: F401
from google.protobuf import descriptor_pool, message_factory


@dataclass(frozen=True)
class Attempt:
    method: str  # e.g. "CreateRun"
    request: Any
    metadata: dict[str, str]

    @property
    def previous_attempts(self) -> int:
        """What gRPC's retry machinery says this attempt is (A6: grpc-previous-rpc-attempts)."""
        return int(self.metadata.get("grpc-previous-rpc-attempts", "0"))


class GrpcProxy(grpc.GenericRpcHandler):
    def __init__(self, target: str) -> None:
        self._upstream = grpc.insecure_channel(target, options=[("grpc.enable_retries", 0)])
        self._lock = threading.Lock()
        self._faults: dict[str, list[str]] = {}
        self.attempts: list[Attempt] = []
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), handlers=[self])
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()

    @property
    def uri(self) -> str:
        return f"grpc://127.0.0.1:{self.port}"

    def inject(self, method: str, times: int, fault: str) -> None:
        """Fails the next `times` attempts of `method` with `fault` ("unavailable" or
        "lose_reply")."""
        assert fault in ("unavailable", "lose_reply")
        with self._lock:
            self._faults.setdefault(method, []).extend([fault] * times)

    def requests(self, method: str) -> list[Any]:
        with self._lock:
            return [a.request for a in self.attempts if a.method == method]

    def of(self, method: str) -> list[Attempt]:
        with self._lock:
            return [a for a in self.attempts if a.method == method]

    def close(self) -> None:
        self._server.stop(grace=None)
        self._upstream.close()

    def service(
        self, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        full_name = handler_call_details.method  # "/trackd.v1.RunService/CreateRun"
        service_name, method_name = full_name.lstrip("/").split("/")
        descriptor = descriptor_pool.Default().FindMethodByName(f"{service_name}.{method_name}")
        if descriptor.client_streaming or descriptor.server_streaming:
            return None  # the tests here need unary calls only
        request_type = message_factory.GetMessageClass(descriptor.input_type)
        forward = self._upstream.unary_unary(full_name)

        def handle(request_bytes: bytes, context: grpc.ServicerContext) -> bytes:
            metadata = {k: str(v) for k, v in context.invocation_metadata()}
            with self._lock:
                self.attempts.append(
                    Attempt(method_name, request_type.FromString(request_bytes), metadata)
                )
                pending = self._faults.get(method_name)
                fault = pending.pop(0) if pending else None
            if fault == "unavailable":
                context.abort(grpc.StatusCode.UNAVAILABLE, "server down (injected by the test)")
            remaining = context.time_remaining()
            try:
                reply: bytes = forward(request_bytes, timeout=remaining)
            except grpc.RpcError as err:
                context.set_trailing_metadata(err.trailing_metadata() or ())
                context.abort(err.code(), err.details() or "")
            if fault == "lose_reply":
                context.abort(grpc.StatusCode.UNAVAILABLE, "reply lost (injected by the test)")
            return reply

        return grpc.unary_unary_rpc_method_handler(handle)


@contextmanager
def proxy_to(tracking_uri: str) -> Iterator[GrpcProxy]:
    proxy = GrpcProxy(tracking_uri.removeprefix("grpc://"))
    try:
        yield proxy
    finally:
        proxy.close()
