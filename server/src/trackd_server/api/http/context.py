"""The `grpc.ServicerContext` that servicers receive on HTTP calls.

Servicers report errors by raising `TrackdError`, so mostly the read-side of the context is
needed (headers as invocation metadata, the peer). `abort`
is supported too, so a servicer that calls it behaves the same over both transports. It is a
real `grpc.ServicerContext` subclass, so a servicer cannot tell the transports apart by type
(a disconnected HTTP client shows up as an error from the request iterator, as over gRPC).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

import grpc
from google.protobuf.descriptor import MethodDescriptor

from trackd_server.api.http.errors import HttpError, http_status_for


class HttpCallContext(grpc.ServicerContext):
    """What a servicer may ask about an HTTP call: headers, peer, and abort."""

    def __init__(self, headers: Sequence[tuple[str, str]], peer: str) -> None:
        # gRPC metadata keys are lower case; HTTP header names are case-insensitive.
        self._metadata = tuple((name.lower(), value) for name, value in headers)
        self._peer = peer
        self._code: grpc.StatusCode | None = None
        self._details = ""
        self._cancelled = False
        self._callbacks: list[Any] = []

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        """The request's HTTP headers as (lower-case name, value) pairs."""
        return self._metadata

    def peer(self) -> str:
        """The client address in gRPC's form, for example "ipv4:127.0.0.1:53211"."""
        return self._peer

    def is_active(self) -> bool:
        """False once the call was cancelled (`cancel`)."""
        return not self._cancelled

    def time_remaining(self) -> float | None:
        return None

    def cancel(self) -> None:
        """Marks the call as ended by the client; runs the callbacks once."""
        if self._cancelled:
            return
        self._cancelled = True
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def add_callback(self, callback: Any) -> bool:
        """Registers a callback for the end of the call; False if it has already ended."""
        if self._cancelled:
            return False
        self._callbacks.append(callback)
        return True

    def auth_context(self) -> dict[str, Any]:
        """HTTP/JSON is unauthenticated (as the gRPC port is): no auth properties."""
        return {}

    def peer_identities(self) -> None:
        return None

    def peer_identity_key(self) -> None:
        return None

    def set_code(self, code: grpc.StatusCode) -> None:
        self._code = code

    def set_details(self, details: str) -> None:
        self._details = details

    def set_trailing_metadata(self, metadata: Any) -> None:
        """Trailers have no HTTP/JSON counterpart; accepted and dropped."""

    def send_initial_metadata(self, metadata: Any) -> None:
        """Accepted and dropped, as trailers are."""

    def abort(self, code: grpc.StatusCode, details: str) -> NoReturn:
        name = code.name
        raise HttpError(name, name, details, http_status=http_status_for(name))

    def abort_with_status(self, status: Any) -> NoReturn:
        self.abort(status.code, status.details)

    @property
    def status_code(self) -> grpc.StatusCode | None:
        """The code a servicer set with `set_code`, if any (used for unimplemented RPCs)."""
        return self._code

    @property
    def status_details(self) -> str:
        return self._details


def invoke(
    servicer: object, method: MethodDescriptor, argument: Any, context: HttpCallContext
) -> Any:
    """Calls `method` of `servicer` as gRPC would; a servicer that only set an error code
    (the generated base class does that for unimplemented RPCs) becomes an HttpError."""
    try:
        result = getattr(servicer, method.name)(argument, context)
    except NotImplementedError as exc:
        raise HttpError(
            "UNIMPLEMENTED", "UNIMPLEMENTED", f"{method.full_name} is not implemented"
        ) from exc
    if context.status_code is not None and context.status_code.name != "OK":
        name = context.status_code.name
        raise HttpError(name, name, context.status_details or name)
    return result
