"""Domain errors. Each carries a status code name (a gRPC code), a stable machine-readable
reason (sent as google.rpc.ErrorInfo.reason) and a message for people that names the field and
the limit. The API layer maps them to transport errors in one place."""

from __future__ import annotations

from collections.abc import Mapping


class TrackdError(Exception):
    """Base of every error the server reports on purpose."""

    code = "INTERNAL"
    default_reason = "INTERNAL"

    def __init__(
        self, message: str, reason: str | None = None, metadata: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata: dict[str, str] = dict(metadata or {})


class InvalidArgument(TrackdError):
    code = "INVALID_ARGUMENT"
    default_reason = "INVALID_ARGUMENT"


class NotFound(TrackdError):
    code = "NOT_FOUND"
    default_reason = "NOT_FOUND"


class AlreadyExists(TrackdError):
    code = "ALREADY_EXISTS"
    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(TrackdError):
    code = "FAILED_PRECONDITION"
    default_reason = "FAILED_PRECONDITION"


class ResourceExhausted(TrackdError):
    code = "RESOURCE_EXHAUSTED"
    default_reason = "RESOURCE_EXHAUSTED"


class PermissionDenied(TrackdError):
    code = "PERMISSION_DENIED"
    default_reason = "PERMISSION_DENIED"


class Unavailable(TrackdError):
    """The database could not be reached or the transaction must be retried."""

    code = "UNAVAILABLE"
    default_reason = "STORE_UNAVAILABLE"
