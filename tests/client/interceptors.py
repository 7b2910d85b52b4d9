"""gRPC client interceptors that observe or disturb calls, to test the client's transport."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import grpc


def _method_name(details: grpc.ClientCallDetails) -> str:
    method = details.method
    text = method.decode() if isinstance(method, bytes) else str(method)
    return text.rsplit("/", 1)[-1]


class Recorder(grpc.UnaryUnaryClientInterceptor):
    """Records the method name and a copy of the request of every attempt, and its status."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.codes: list[grpc.StatusCode] = []
        self.failed_once = threading.Event()

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: Any, request: Any
    ) -> Any:
        copy = type(request)()
        copy.CopyFrom(request)
        self.calls.append((_method_name(client_call_details), copy))
        outcome = continuation(client_call_details, request)
        code = outcome.code()
        self.codes.append(code)
        if code != grpc.StatusCode.OK:
            self.failed_once.set()
        return outcome

    def requests(self, method: str) -> list[Any]:
        return [req for name, req in self.calls if name == method]


class LostReply(grpc.RpcError):
    """What a caller sees when the connection drops after the server has answered."""

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "connection lost (simulated by the test)"

    def trailing_metadata(self) -> None:
        return None


class LoseFirstReply(grpc.UnaryUnaryClientInterceptor):
    """Lets the server fully process the first call to `method`, then discards the reply and
    raises UNAVAILABLE, as if the connection broke after the server committed."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.request_ids: list[str] = []
        self.dropped = False

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: Any, request: Any
    ) -> Any:
        if _method_name(client_call_details) != self.method:
            return continuation(client_call_details, request)
        self.request_ids.append(request.request_id)
        outcome = continuation(client_call_details, request)
        if not self.dropped:
            outcome.result()  # the server has processed the call and answered
            self.dropped = True
            raise LostReply()
        return outcome
