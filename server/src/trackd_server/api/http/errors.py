"""Errors the HTTP/JSON gateway reports itself (bad JSON, unknown route, a body too large).

They are `TrackdError`s, so they leave the gateway exactly as a servicer's errors do: the
google.rpc.Status JSON built by trackd_server.api.errors, the one mapping shared with the gRPC
interceptor (see docs/http-api.md, "Errors").
"""

from __future__ import annotations

from collections.abc import Mapping

from trackd_server.api.errors import HTTP_STATUS_BY_CODE, http_status_for
from trackd_server.domain.errors import TrackdError

__all__ = ["HTTP_STATUS_BY_CODE", "HttpError", "http_status_for", "invalid_argument"]


class HttpError(TrackdError):
    """An error the gateway reports itself, before or after calling a servicer.

    `http_status` defaults to the mapping of `code`; it is given explicitly only where HTTP has
    a more precise status than the code's (405, 411, 413). `headers` go on the answer
    (`Allow` with a 405, `Connection: close` when the rest of the body is not read).
    """

    def __init__(
        self,
        code: str,
        reason: str,
        message: str,
        *,
        http_status: int | None = None,
        metadata: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, reason, metadata)
        self.code = code
        self.http_status = http_status if http_status is not None else http_status_for(code)
        self.headers: dict[str, str] = dict(headers or {})


def invalid_argument(reason: str, message: str, **metadata: str) -> HttpError:
    """A 400 for a request the gateway cannot turn into a protobuf message."""
    return HttpError("INVALID_ARGUMENT", reason, message, metadata=metadata)
