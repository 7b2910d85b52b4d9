"""The exceptions trackd raises: one class per gRPC status code, all under `TrackdError`.

The server reports errors as a gRPC status plus a `google.rpc.ErrorInfo` detail whose `reason`
is a stable, machine-readable word (for example `PARAM_VALUE_CHANGED`). Catch a class to react
to a kind of failure (`except trackd.NotFoundError`) and look at `.reason` to tell cases of the
same kind apart.
"""

from __future__ import annotations

from collections.abc import Mapping


class TrackdError(Exception):
    """Base of every error trackd raises on purpose.

    Attributes:
        code: the gRPC status code name, for example ``"NOT_FOUND"``.
        reason: the ``ErrorInfo.reason`` sent by the server (or chosen by the client for errors
            it detects itself); the code name when the server sent none.
        message: the human-readable explanation.
        metadata: the ``ErrorInfo.metadata`` map (for example the offending field).
    """

    code: str = "UNKNOWN"

    def __init__(
        self,
        message: str,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.code
        self.metadata: dict[str, str] = dict(metadata or {})

    def __str__(self) -> str:
        return f"{self.code} ({self.reason}): {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        # Keeps exceptions picklable across multiprocessing boundaries.
        return (type(self), (self.message, self.reason, self.metadata), {"code": self.code})


class InvalidArgumentError(TrackdError, ValueError):
    """A request was malformed or broke a limit, or a param was logged with a new value."""

    code = "INVALID_ARGUMENT"


class NotFoundError(TrackdError, LookupError):
    """The experiment, run or tag does not exist."""

    code = "NOT_FOUND"


class AlreadyExistsError(TrackdError):
    """An experiment with that name exists already (possibly deleted)."""

    code = "ALREADY_EXISTS"


class FailedPreconditionError(TrackdError):
    """The entity is not in a state that allows the call, for example a write to a deleted run."""

    code = "FAILED_PRECONDITION"


class ResourceExhaustedError(TrackdError):
    """The server refused the call for lack of capacity (a quota or a size limit)."""

    code = "RESOURCE_EXHAUSTED"


class PermissionDeniedError(TrackdError):
    """The caller may not do this."""

    code = "PERMISSION_DENIED"


class UnauthenticatedError(TrackdError):
    """The server needs credentials the caller did not give."""

    code = "UNAUTHENTICATED"


class UnavailableError(TrackdError):
    """The server (or its database) could not be reached, even after retrying."""

    code = "UNAVAILABLE"


class DeadlineExceededError(TrackdError, TimeoutError):
    """The call did not complete within its deadline."""

    code = "DEADLINE_EXCEEDED"


class AbortedError(TrackdError):
    """The server aborted the call because of a concurrent change."""

    code = "ABORTED"


class CancelledError(TrackdError):
    """The call was cancelled."""

    code = "CANCELLED"


class UnimplementedError(TrackdError):
    """The server does not implement this call (it is probably older than the client)."""

    code = "UNIMPLEMENTED"


class InternalError(TrackdError):
    """The server failed unexpectedly; its log has the details."""

    code = "INTERNAL"


class DataLossError(TrackdError):
    """Bytes were lost or corrupted in transfer (an artifact's checksum or size did not match);
    nothing was kept, and the transfer may be repeated."""

    code = "DATA_LOSS"


class UnknownError(TrackdError):
    """The server reported a status trackd does not know."""

    code = "UNKNOWN"


_BY_CODE: dict[str, type[TrackdError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        AlreadyExistsError,
        FailedPreconditionError,
        ResourceExhaustedError,
        PermissionDeniedError,
        UnauthenticatedError,
        UnavailableError,
        DeadlineExceededError,
        AbortedError,
        CancelledError,
        UnimplementedError,
        InternalError,
        DataLossError,
        UnknownError,
    )
}
# Codes without a class of their own map to the closest one.
_BY_CODE["OUT_OF_RANGE"] = InvalidArgumentError


def error_class_for_code(code: str) -> type[TrackdError]:
    """The exception class for a gRPC status code name such as ``"NOT_FOUND"``."""
    return _BY_CODE.get(code, UnknownError)


def error_for_status(
    code: str, message: str, reason: str | None = None, metadata: Mapping[str, str] | None = None
) -> TrackdError:
    """Builds the exception matching a gRPC status code name."""
    error = error_class_for_code(code)(message, reason or code, metadata)
    error.code = code  # differs from the class's code for OUT_OF_RANGE, DATA_LOSS, ...
    return error


__all__ = [
    "AbortedError",
    "AlreadyExistsError",
    "CancelledError",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "InternalError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "TrackdError",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "UnknownError",
    "error_class_for_code",
    "error_for_status",
]
