"""Errors of the HTTP/JSON gateway and the one mapping from gRPC code names to HTTP statuses.

Every error leaves the gateway as the same JSON document, whether a servicer raised it (a
`TrackdError`) or the gateway itself refused the request (bad JSON, unknown route, ...):

    {"error": {"code": "NOT_FOUND", "http_status": 404, "message": "...",
               "reason": "RUN_NOT_FOUND", "metadata": {"run_id": "..."}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Google's mapping of canonical codes to HTTP statuses (google/rpc/code.proto), which is also
# what grpc-gateway and ESP use, so clients that know one gateway know ours.
HTTP_STATUS_BY_CODE: dict[str, int] = {
    "OK": 200,
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
}


def http_status_for(code: str) -> int:
    """The HTTP status for a gRPC code name; unknown names are server errors."""
    return HTTP_STATUS_BY_CODE.get(code, 500)


class HttpError(Exception):
    """An error the gateway reports itself, before or after calling a servicer.

    `http_status` defaults to the mapping of `code`; it is given explicitly only where HTTP has
    a more precise status than the code's (405, 413).
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
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.http_status = http_status if http_status is not None else http_status_for(code)
        self.metadata: dict[str, str] = dict(metadata or {})
        self.headers: dict[str, str] = dict(headers or {})


def invalid_argument(reason: str, message: str, **metadata: str) -> HttpError:
    """A 400 for a request the gateway cannot turn into a protobuf message."""
    return HttpError("INVALID_ARGUMENT", reason, message, metadata=metadata)


def error_body(
    code: str,
    reason: str,
    message: str,
    http_status: int,
    metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON document of every error response."""
    return {
        "error": {
            "code": code,
            "http_status": http_status,
            "message": message,
            "reason": reason,
            "metadata": {str(k): str(v) for k, v in (metadata or {}).items()},
        }
    }
