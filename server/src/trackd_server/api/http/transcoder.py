"""HTTP request -> protobuf request -> servicer -> protobuf response -> HTTP response.

Transport-free: `Transcoder.handle` takes a parsed HTTP request and returns status, headers and
body, so the server module only moves bytes. Binding rules (google/api/http.proto):
- path variables set the fields they name (a body may repeat them only with the same value);
- body "*": the JSON body is the request message (an empty body is `{}`); no query string;
- body "<field>": the JSON body is that field, other fields come from the query string;
- no body (GET): every other field comes from the query string, `a.b=v` for nested fields and
  repeated keys for repeated fields (`order_by=x&order_by=y`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from trackd_server.api.http.context import HttpCallContext
from trackd_server.api.http.errors import HttpError, error_body, http_status_for, invalid_argument
from trackd_server.api.http.json_codec import decode_json, message_to_json, parse_message
from trackd_server.api.http.routes import Route, RouteTable, routes_for
from trackd_server.api.http.services import ServiceBinding
from trackd_server.domain.errors import TrackdError

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
JSON_HEADERS = (("content-type", "application/json"),)


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as the transport received it; `path` is still percent-encoded."""

    method: str
    path: str
    query: str = ""
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    peer: str = ""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=JSON_HEADERS)


def _json_response(
    status: int, doc: Any, extra_headers: Sequence[tuple[str, str]] = ()
) -> HttpResponse:
    body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return HttpResponse(status, body.encode("utf-8"), JSON_HEADERS + tuple(extra_headers))


def error_response(error: HttpError | TrackdError) -> HttpResponse:
    """The JSON error document for a gateway or domain error."""
    status = getattr(error, "http_status", None) or http_status_for(error.code)
    doc = error_body(error.code, error.reason, error.message, status, error.metadata)
    headers = tuple(getattr(error, "headers", {}).items())
    return _json_response(status, doc, headers)


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
        if not isinstance(target, dict):
            raise invalid_argument("INVALID_FIELD_VALUE", f"{name!r} is not a message")
    target[leaf] = value


def _query_field(descriptor: Descriptor, dotted: str) -> FieldDescriptor:
    field_desc: FieldDescriptor | None = None
    current: Descriptor | None = descriptor
    for name in dotted.split("."):
        if current is None:
            field_desc = None
            break
        by_json = {f.json_name: f for f in current.fields}
        field_desc = current.fields_by_name.get(name) or by_json.get(name)
        if field_desc is None:
            break
        current = field_desc.message_type
    if field_desc is None or field_desc.type == FieldDescriptor.TYPE_MESSAGE:
        known = ", ".join(f.name for f in descriptor.fields)
        raise invalid_argument(
            "UNKNOWN_FIELD",
            f"query parameter {dotted!r} is not a scalar field of {descriptor.full_name}; "
            f"known fields: {known}",
            field=dotted,
        )
    return field_desc


def _query_value(raw: str, field_desc: FieldDescriptor, name: str) -> Any:
    if field_desc.type != FieldDescriptor.TYPE_BOOL:
        return raw
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise invalid_argument(
        "INVALID_FIELD_VALUE", f"query parameter {name!r} must be true or false", field=name
    )


def query_to_dict(query: str, descriptor: Descriptor) -> dict[str, Any]:
    """Query parameters as a JSON-like dict for `descriptor`."""
    out: dict[str, Any] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False)
    except ValueError as exc:
        raise invalid_argument("MALFORMED_QUERY", f"malformed query string: {exc}") from exc
    for name, raw in pairs:
        field_desc = _query_field(descriptor, name)
        value = _query_value(raw, field_desc, name)
        if field_desc.is_repeated:
            out.setdefault(name, []).append(value)
        elif name in out:
            raise invalid_argument(
                "DUPLICATE_FIELD", f"query parameter {name!r} is not repeated", field=name
            )
        else:
            out[name] = value
    # Nested names (a.b) become nested objects so json_format sees one message shape.
    nested: dict[str, Any] = {}
    for name, value in out.items():
        _set_path(nested, name, value)
    return nested


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

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answers one request; never raises (unexpected failures become a JSON 500)."""
        try:
            route, bindings = self.routes.match(request.method.upper(), request.path)
            _refuse_streaming(route)
            message = self._request_message(route, bindings, request)
            response = self._call(route, message, request)
            return _json_response(200, message_to_json(response))
        except (HttpError, TrackdError) as exc:
            return error_response(exc)
        except Exception:
            log.exception("HTTP %s %s failed", request.method, request.path)
            return error_response(HttpError("INTERNAL", "INTERNAL", "internal server error"))

    def _request_message(
        self, route: Route, bindings: dict[str, str], request: HttpRequest
    ) -> Message:
        descriptor = route.method.input_type
        doc = self._body_and_query(route, request)
        for path, value in bindings.items():
            self._bind_path_value(doc, path, value)
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

    @staticmethod
    def _bind_path_value(doc: dict[str, Any], path: str, value: str) -> None:
        target: Any = doc
        for name in path.split(".")[:-1]:
            target = target.get(name, {}) if isinstance(target, dict) else {}
        leaf = path.split(".")[-1]
        camel = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), leaf)
        for spelling in {leaf, camel}:
            if not isinstance(target, dict) or spelling not in target:
                continue
            if str(target[spelling]) != value:
                raise invalid_argument(
                    "CONFLICTING_FIELD",
                    f"{path!r} is {value!r} in the path but {target[spelling]!r} in the body",
                    field=path,
                )
            # The path's spelling replaces the body's, so the field is not given twice.
            del target[spelling]
        _set_path(doc, path, value)

    def _call(self, route: Route, message: Message, request: HttpRequest) -> Message:
        servicer = self._servicers[route.method.containing_service.full_name]
        context = HttpCallContext(request.headers, request.peer)
        try:
            response = getattr(servicer, route.method.name)(message, context)
        except NotImplementedError as exc:
            raise HttpError(
                "UNIMPLEMENTED", "UNIMPLEMENTED", f"{route.method.full_name} is not implemented"
            ) from exc
        if context.status_code is not None and context.status_code.name != "OK":
            name = context.status_code.name
            raise HttpError(name, name, context.status_details or name)
        output = route.method.output_type
        if not isinstance(response, Message) or response.DESCRIPTOR is not output:
            raise TypeError(f"{route.method.full_name} returned {type(response).__name__}")
        return response


def _refuse_streaming(route: Route) -> None:
    """Streamed bodies (artifacts) need chunked transfer both ways, which this gateway does not
    do yet: say so rather than call the servicer with the wrong shapes."""
    if route.method.client_streaming or route.method.server_streaming:
        raise HttpError(
            "UNIMPLEMENTED",
            "STREAMING_OVER_HTTP",
            f"{route.method.full_name} streams its content and is not served over HTTP/JSON "
            "yet; use gRPC",
            metadata={"method": route.method.full_name},
        )


def body_too_large(limit: int) -> HttpError:
    """A 413: the body exceeds the configured limit (RESOURCE_EXHAUSTED, as gRPC says for an
    oversized message)."""
    return HttpError(
        "RESOURCE_EXHAUSTED",
        "REQUEST_TOO_LARGE",
        f"request body exceeds the limit of {limit} bytes",
        http_status=413,
        metadata={"limit_bytes": str(limit)},
    )
