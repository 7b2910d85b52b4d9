"""HTTP request -> protobuf request -> servicer -> protobuf response -> HTTP response.

Transport-free: `Transcoder.handle` takes a parsed HTTP request and returns status, headers and
body, so the server module only moves bytes. Binding rules (google/api/http.proto):
- path variables set the fields they name (a body may repeat them only with the same value);
- body "*": the JSON body is the request message (an empty body is `{}`); no query string;
- body "<field>": the JSON body is that field, other fields come from the query string;
- no body (GET): every other field comes from the query string, `a.b=v` for nested fields and
  repeated keys for repeated fields (`order_by=x&order_by=y`).
Streaming RPCs of the "description, then bytes" shape take or give a raw body instead
(streaming.py); other streaming RPCs are 501.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf import message_factory
from google.protobuf.message import Message

from trackd_server.api.http.binding import bind_path_value, query_to_dict
from trackd_server.api.http.context import HttpCallContext, invoke
from trackd_server.api.http.errors import HttpError, invalid_argument
from trackd_server.api.http.json_codec import decode_json, message_to_json, parse_message
from trackd_server.api.http.routes import Route, RouteTable, routes_for
from trackd_server.api.http.services import ServiceBinding
from trackd_server.api.http.streaming import (
    ByteStreamShape,
    DownloadStream,
    download_shape,
    open_download,
    upload_messages,
    upload_shape,
    with_header_hint,
)
from trackd_server.api.http.wire import (
    JSON_HEADERS,
    HttpRequest,
    HttpResponse,
    error_response,
    json_response,
)
from trackd_server.domain.errors import TrackdError

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "JSON_HEADERS",
    "HttpRequest",
    "HttpResponse",
    "Matched",
    "Transcoder",
    "body_too_large",
    "error_response",
]


@dataclass(frozen=True)
class Matched:
    """A request's route, its path variables, and "upload"/"download" for raw-body routes
    ("" for JSON ones)."""

    route: Route
    bindings: dict[str, str]
    kind: str


class Transcoder:
    """Routes HTTP requests to servicer methods by their `google.api.http` annotations."""

    def __init__(
        self, bindings: Sequence[ServiceBinding], max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ) -> None:
        self.max_body_bytes = max_body_bytes
        self._servicers: dict[str, object] = {}
        routes: list[Route] = []
        for binding in bindings:
            self._servicers[binding.service.full_name] = binding.servicer
            routes.extend(routes_for(binding.service))
        self.routes = RouteTable(routes)
        self._uploads: dict[tuple[str, str], ByteStreamShape] = {}
        self._downloads: dict[tuple[str, str], ByteStreamShape] = {}
        for route in routes:
            key = (route.http_method, route.template)
            up, down = upload_shape(route), download_shape(route)
            if up is not None:
                self._uploads[key] = up
            if down is not None:
                self._downloads[key] = down

    def match(self, method: str, path: str) -> Matched:
        """The route of a request, found once per request; HttpError 404/405 when none."""
        route, bindings = self.routes.match(method.upper(), path)
        key = (route.http_method, route.template)
        kind = "upload" if key in self._uploads else "download" if key in self._downloads else ""
        return Matched(route, bindings, kind)

    def streaming_kind(self, method: str, path: str) -> str | None:
        """ "upload" or "download" when the request goes to a route that streams a raw body,
        else None (also when no route matches: `handle` then answers the 404 or 405)."""
        try:
            return self.match(method, path).kind or None
        except HttpError:
            return None

    def handle(self, request: HttpRequest, matched: Matched | None = None) -> HttpResponse:
        """Answers one request whose body is in memory; never raises (unexpected failures
        become a JSON 500). Streamed routes work too, with the body or answer in memory.
        `matched` is the request's route when the caller has already matched it."""
        try:
            matched = matched or self.match(request.method, request.path)
            route, bindings = matched.route, matched.bindings
            if matched.kind == "upload":
                return self._upload(route, bindings, request, [request.body])
            if matched.kind == "download":
                stream = self._open_download(route, bindings, request)
                try:
                    content = b"".join(stream.chunks)
                finally:
                    stream.close()
                return HttpResponse(200, content, stream.headers)
            _refuse_streaming(route)
            message = self._request_message(route, bindings, request)
            response = self._call(route, message, request)
            return json_response(200, message_to_json(response))
        except Exception as exc:
            return _failure(request, exc)

    def upload(
        self, request: HttpRequest, body: Iterable[bytes], matched: Matched | None = None
    ) -> HttpResponse:
        """Answers an upload whose body arrives as `body` (pieces read on demand, from a
        worker thread); `request.body` is ignored. Never raises."""
        try:
            matched = matched or self.match(request.method, request.path)
            return self._upload(matched.route, matched.bindings, request, body)
        except Exception as exc:
            return _failure(request, exc)

    def open_download(
        self, request: HttpRequest, matched: Matched | None = None
    ) -> HttpResponse | DownloadStream:
        """An error answer, or the opened stream: its headers are known, its content is read
        as it is iterated. The caller must call the stream's `close`. Never raises."""
        try:
            matched = matched or self.match(request.method, request.path)
            return self._open_download(matched.route, matched.bindings, request)
        except Exception as exc:
            return _failure(request, exc)

    def _context(self, request: HttpRequest) -> HttpCallContext:
        return HttpCallContext(request.headers, request.peer)

    def _upload(
        self,
        route: Route,
        bindings: dict[str, str],
        request: HttpRequest,
        body: Iterable[bytes],
    ) -> HttpResponse:
        shape = self._uploads[(route.http_method, route.template)]
        messages = upload_messages(route, shape, bindings, request, body)
        servicer = self._servicers[route.method.containing_service.full_name]
        try:
            response = invoke(servicer, route.method, messages, self._context(request))
        except TrackdError as exc:
            raise with_header_hint(exc, shape) from exc
        return json_response(200, message_to_json(self._checked(route, response)))

    def _open_download(
        self, route: Route, bindings: dict[str, str], request: HttpRequest
    ) -> DownloadStream:
        shape = self._downloads[(route.http_method, route.template)]
        message = self._request_message(route, bindings, request)
        servicer = self._servicers[route.method.containing_service.full_name]
        responses = invoke(servicer, route.method, message, self._context(request))
        stream = open_download(shape, iter(responses), route.method.full_name)
        return stream

    def _request_message(
        self, route: Route, bindings: dict[str, str], request: HttpRequest
    ) -> Message:
        descriptor = route.method.input_type
        doc = self._body_and_query(route, request)
        for path, value in bindings.items():
            bind_path_value(doc, path, value)
        return parse_message(doc, message_factory.GetMessageClass(descriptor)())

    def _body_and_query(self, route: Route, request: HttpRequest) -> dict[str, Any]:
        descriptor = route.method.input_type
        if len(request.body) > self.max_body_bytes:
            raise body_too_large(self.max_body_bytes)
        body_present = bool(request.body.strip())
        if route.body == "*":
            if request.query:
                raise invalid_argument(
                    "QUERY_NOT_ALLOWED",
                    f"{route.http_method} {route.template} takes its fields in the JSON body, "
                    "not in the query string",
                )
            doc = decode_json(request.body) if body_present else {}
            if not isinstance(doc, dict):
                raise invalid_argument("MALFORMED_JSON", "request body must be a JSON object")
            return doc
        if not route.body and body_present:
            raise invalid_argument(
                "BODY_NOT_ALLOWED",
                f"{route.http_method} {route.template} takes no body; use query parameters",
            )
        doc = query_to_dict(request.query, descriptor)
        if route.body:
            doc[route.body] = decode_json(request.body) if body_present else {}
        return doc

    def _call(self, route: Route, message: Message, request: HttpRequest) -> Message:
        servicer = self._servicers[route.method.containing_service.full_name]
        response = invoke(servicer, route.method, message, self._context(request))
        return self._checked(route, response)

    @staticmethod
    def _checked(route: Route, response: Any) -> Message:
        output = route.method.output_type
        if not isinstance(response, Message) or response.DESCRIPTOR is not output:
            raise TypeError(f"{route.method.full_name} returned {type(response).__name__}")
        return response


def _failure(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The answer for a failed request; unexpected failures are logged and leak nothing."""
    if isinstance(exc, (HttpError, TrackdError)):
        return error_response(exc)
    log.error("HTTP %s %s failed", request.method, request.path, exc_info=exc)
    return error_response(HttpError("INTERNAL", "INTERNAL", "internal server error"))


def _refuse_streaming(route: Route) -> None:
    """A streaming RPC without the "description, then bytes" shape (none in trackd.v1 today)
    has no HTTP form: say so rather than call the servicer with the wrong shapes."""
    if route.method.client_streaming or route.method.server_streaming:
        raise HttpError(
            "UNIMPLEMENTED",
            "STREAMING_OVER_HTTP",
            f"{route.method.full_name} streams messages that have no raw-body form; use gRPC",
            metadata={"method": route.method.full_name},
        )


def body_too_large(limit: int) -> HttpError:
    """A 413: the body exceeds the configured limit (RESOURCE_EXHAUSTED, as gRPC says for an
    oversized message). The rest of the body is not read: the connection is closed after the
    answer."""
    return HttpError(
        "RESOURCE_EXHAUSTED",
        "REQUEST_TOO_LARGE",
        f"request body exceeds the limit of {limit} bytes",
        http_status=413,
        metadata={"limit_bytes": str(limit)},
        headers={"connection": "close"},
    )
