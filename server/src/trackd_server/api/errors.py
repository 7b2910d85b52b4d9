"""The one place where errors become statuses, for gRPC and for HTTP/JSON alike.

Domain errors keep their code and carry google.rpc.ErrorInfo (reason, domain, metadata) in the
status details; `status_of` builds that google.rpc.Status, which the gRPC interceptor sends as
the call's status and the HTTP gateway as the JSON error body (with the HTTP status of
`http_status_for`). Anything unexpected is logged with its traceback and reported as INTERNAL
without internals leaking to the client."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from ..domain.errors import TrackdError

log = logging.getLogger(__name__)
ERROR_DOMAIN = "trackd.io"

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


def status_of(error: TrackdError) -> status_pb2.Status:
    """The google.rpc.Status of a domain error: its code, message and one ErrorInfo."""
    info = error_details_pb2.ErrorInfo(
        reason=error.reason, domain=ERROR_DOMAIN, metadata=error.metadata
    )
    detail = any_pb2.Any()
    detail.Pack(info)
    return status_pb2.Status(
        code=code_pb2.Code.Value(error.code), message=error.message, details=[detail]
    )


def to_status(error: TrackdError) -> grpc.Status:
    return rpc_status.to_status(status_of(error))


def _unexpected(method: str, error: Exception, context: grpc.ServicerContext) -> None:
    if not context.is_active():
        # The client cancelled or went away (a streaming handler sees that as an error from
        # the request iterator); nobody is left to answer, and gRPC knows its own error.
        log.info("%s ended early: the client cancelled or disconnected", method)
        raise error
    log.exception("unexpected error in %s", method)
    context.abort(grpc.StatusCode.INTERNAL, f"internal error in {method}; see server log")


def _guard(
    method: str, behaviour: Callable[[Any, grpc.ServicerContext], Any]
) -> Callable[..., Any]:
    def guarded(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return behaviour(request, context)
        except TrackdError as error:
            context.abort_with_status(to_status(error))
        except Exception as error:
            _unexpected(method, error, context)

    return guarded


def _guard_stream(
    method: str, behaviour: Callable[[Any, grpc.ServicerContext], Iterator[Any]]
) -> Callable[..., Iterator[Any]]:
    """The same for a server-streaming handler: errors raised before the first response and
    while the responses are produced."""

    def guarded(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from behaviour(request, context)
        except TrackdError as error:
            context.abort_with_status(to_status(error))
        except Exception as error:
            _unexpected(method, error, context)

    return guarded


class ErrorInterceptor(grpc.ServerInterceptor):
    """Wraps every handler of our services (unary, client- and server-streaming) so domain
    errors become statuses."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or not method.startswith("/trackd."):
            return handler
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                _guard(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary is not None:
            return grpc.stream_unary_rpc_method_handler(
                _guard(method, handler.stream_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                _guard_stream(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
