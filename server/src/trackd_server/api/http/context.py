"""The stand-in for `grpc.ServicerContext` that servicers receive on HTTP calls.

Servicers report errors by raising `TrackdError`, so only the read-side of the context is
needed (headers as invocation metadata, the peer). `abort` is supported too, so a servicer that
calls it behaves the same over both transports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

import grpc

from trackd_server.api.http.errors import HttpError, http_status_for


class HttpCallContext:
    """What a servicer may ask about an HTTP call: headers, peer, and abort."""

    def __init__(self, headers: Sequence[tuple[str, str]], peer: str) -> None:
        # gRPC metadata keys are lower case; HTTP header names are case-insensitive.
        self._metadata = tuple((name.lower(), value) for name, value in headers)
        self._peer = peer
        self._code: grpc.StatusCode | None = None
        self._details = ""

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        """The request's HTTP headers as (lower-case name, value) pairs."""
        return self._metadata

    def peer(self) -> str:
        """The client address in gRPC's form, for example "ipv4:127.0.0.1:53211"."""
        return self._peer

    def is_active(self) -> bool:
        return True

    def time_remaining(self) -> float | None:
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
