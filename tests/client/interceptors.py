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
