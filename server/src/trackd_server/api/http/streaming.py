"""Raw byte bodies for streaming RPCs, recognised by the shape of their messages.

A streaming RPC is served over HTTP when its messages have the "header, then bytes" shape:
a `oneof` of exactly one message field (the description) and one `bytes` field (a piece of
content). ArtifactService's UploadArtifact and DownloadArtifact have it; nothing here names
them.

Client streaming (upload), when the rule's `body` names the bytes field and every path
variable is a field of the description (`{header.run_id}`): the HTTP body is the content, as
`application/octet-stream`, with Content-Length or chunked. The first message is the
description, filled from
- the path variables,
- query parameters named by the full field path (`?header.size=12`),
- HTTP headers `X-Trackd-<Field-Name>` for the description's scalar fields
  (`X-Trackd-Sha256` sets `sha256`), and `X-Request-Id` for `request_id`,
- Content-Length for an integer field named `size` that no other source set (a chunked
  body without a size is 411);
the same field given twice with different values is 400 CONFLICTING_FIELD. Each later message
carries the next piece of the body, at most MAX_CHUNK_BYTES, as it arrives: the body is never
held whole.

Server streaming (download): the request is bound like any GET. The first response message
is the description: its scalar fields become `X-Trackd-<Field-Name>` response headers (string
values percent-encoded, empty ones left out) and an integer `size` field becomes
Content-Length. The bytes of every later message are the body, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from trackd_server.api.http.binding import bind_path_value, query_to_dict, scalar_text
from trackd_server.api.http.errors import HttpError, invalid_argument
from trackd_server.api.http.json_codec import parse_message
from trackd_server.api.http.routes import Route
from trackd_server.api.http.wire import HttpRequest
from trackd_server.domain.errors import TrackdError

# The largest content piece per message; the proto allows at most 1 MiB.
MAX_CHUNK_BYTES = 1024 * 1024
HEADER_PREFIX = "x-trackd-"
REQUEST_ID_HEADER = "x-request-id"
SIZE_FIELD = "size"
_INTEGER_TYPES = {
    FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SINT64,
}  # fmt: skip


@dataclass(frozen=True)
class ByteStreamShape:
    """The oneof of a streamed message: `meta` describes, `content` carries bytes."""

    oneof: str
    meta: FieldDescriptor
    content: FieldDescriptor

    @property
    def meta_type(self) -> Descriptor:
        """The description's message type."""
        descriptor = self.meta.message_type
        assert descriptor is not None  # a TYPE_MESSAGE field always has one
        return descriptor


def byte_stream_shape(descriptor: Descriptor, content_name: str = "") -> ByteStreamShape | None:
    """The header/bytes oneof of `descriptor` (with bytes field `content_name`, if given)."""
    for oneof in descriptor.oneofs:
        members = list(oneof.fields)
        contents = [f for f in members if f.type == FieldDescriptor.TYPE_BYTES]
        metas = [f for f in members if f.type == FieldDescriptor.TYPE_MESSAGE]
        if len(members) != 2 or len(contents) != 1 or len(metas) != 1:
            continue
        if content_name and contents[0].name != content_name:
            continue
        return ByteStreamShape(oneof.name, metas[0], contents[0])
    return None


def upload_shape(route: Route) -> ByteStreamShape | None:
    """The shape of a client-streaming route served with a raw body, or None."""
    method = route.method
    if not method.client_streaming or method.server_streaming or not route.body:
        return None
    shape = byte_stream_shape(method.input_type, route.body)
    if shape is None:
        return None
    prefix = shape.meta.name + "."
    if not all(variable.startswith(prefix) for variable in route.variables):
        return None
    return shape


def download_shape(route: Route) -> ByteStreamShape | None:
    """The shape of a server-streaming route answered with a raw body, or None."""
    method = route.method
    if not method.server_streaming or method.client_streaming or route.body:
        return None
    return byte_stream_shape(method.output_type)


def header_name(field: FieldDescriptor) -> str:
    """`X-Trackd-Sha256` for field `sha256`, `X-Trackd-Run-Id` for `run_id`."""
    return "X-Trackd-" + "-".join(part.capitalize() for part in field.name.split("_"))


def _scalar_fields(descriptor: Descriptor) -> list[FieldDescriptor]:
    return [
        f for f in descriptor.fields if f.type != FieldDescriptor.TYPE_MESSAGE and not f.is_repeated
    ]


def _one_header(request: HttpRequest, name: str) -> str | None:
    values = request.header_values(name)
    if len(set(values)) > 1:
        raise invalid_argument(
            "DUPLICATE_FIELD", f"header {name} is given twice with different values", field=name
        )
    return values[0] if values else None


def _put(target: dict[str, Any], field: FieldDescriptor, value: Any, source: str) -> None:
    for spelling in (field.name, field.json_name):
        if spelling in target and str(target[spelling]) != str(value):
            raise invalid_argument(
                "CONFLICTING_FIELD",
                f"{field.name!r} is given as {target[spelling]!r} and as {value!r} ({source})",
                field=field.name,
            )
        target.pop(spelling, None)
    target[field.name] = value


def _content_length(request: HttpRequest) -> str | None:
    value = _one_header(request, "content-length")
    return value.strip() if value is not None else None


def upload_request_doc(
    route: Route, shape: ByteStreamShape, bindings: dict[str, str], request: HttpRequest
) -> dict[str, Any]:
    """The JSON document of the first (description) message of an upload."""
    doc = query_to_dict(request.query, route.method.input_type)
    stray = [name for name in doc if name != shape.meta.name]
    if stray:
        raise invalid_argument(
            "UNKNOWN_FIELD",
            f"query parameter {stray[0]!r} is not a field of {shape.meta.name!r}; the body is "
            f"the {shape.content.name!r}",
            field=stray[0],
        )
    meta_doc: dict[str, Any] = doc.setdefault(shape.meta.name, {})
    for field in _scalar_fields(shape.meta_type):
        name = header_name(field)
        value = _one_header(request, name)
        if value is None and field.name == "request_id":
            name = "X-Request-Id"
            value = _one_header(request, REQUEST_ID_HEADER)
        if value is not None:
            _put(meta_doc, field, scalar_text(value, field, name), f"header {name}")
    size_field = shape.meta_type.fields_by_name.get(SIZE_FIELD)
    if size_field is not None and size_field.type in _INTEGER_TYPES:
        length = _content_length(request)
        if length is not None:
            _put(meta_doc, size_field, length, "Content-Length")
        elif SIZE_FIELD not in meta_doc:
            raise HttpError(
                "INVALID_ARGUMENT",
                "LENGTH_REQUIRED",
                "the content's size is unknown: send Content-Length, or "
                f"{header_name(size_field)} with a chunked body",
                http_status=411,
            )
    for path, value in bindings.items():
        bind_path_value(doc, path, value)
    return doc


def with_header_hint(error: TrackdError, shape: ByteStreamShape) -> TrackdError | HttpError:
    """A servicer's complaint about a description field, naming the HTTP header that sets it
    (the servicer speaks of `sha256`; an HTTP client sent, or forgot, X-Trackd-Sha256)."""
    field = shape.meta_type.fields_by_name.get(str(error.metadata.get("field", "")))
    if error.code != "INVALID_ARGUMENT" or field is None:
        return error
    hint = f" (over HTTP: header {header_name(field)})"
    return HttpError(error.code, error.reason, error.message + hint, metadata=error.metadata)


def _pieces(body: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """The body in pieces of at most `limit` bytes: small reads are joined (fewer messages),
    large ones split."""
    pending = bytearray()
    for data in body:
        view = memoryview(data)
        while view:
            take = limit - len(pending)
            pending += view[:take]
            view = view[take:]
            if len(pending) == limit:
                yield bytes(pending)
                pending.clear()
    if pending:
        yield bytes(pending)


def upload_messages(
    route: Route,
    shape: ByteStreamShape,
    bindings: dict[str, str],
    request: HttpRequest,
    body: Iterable[bytes],
) -> Iterator[Message]:
    """The request stream of an upload. The description is parsed before the iterator is
    returned (a bad header fails before the servicer runs); the body is read only as the
    servicer asks for more."""
    message_class = message_factory.GetMessageClass(route.method.input_type)
    first = parse_message(upload_request_doc(route, shape, bindings, request), message_class())

    def stream() -> Iterator[Message]:
        yield first
        for piece in _pieces(body, MAX_CHUNK_BYTES):
            yield message_class(**{shape.content.name: piece})

    return stream()


def _header_value(field: FieldDescriptor, value: Any) -> str | None:
    if field.type == FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    if field.type == FieldDescriptor.TYPE_STRING:
        # Headers are Latin-1 at best: non-ASCII and reserved characters are percent-encoded.
        return quote(value, safe="/") if value else None
    if field.type == FieldDescriptor.TYPE_BYTES:
        return None
    if field.enum_type is not None:
        return str(field.enum_type.values_by_number[value].name)
    return str(value)


@dataclass
class DownloadStream:
    """An opened download: response headers, the content still to send, and how to stop."""

    headers: tuple[tuple[str, str], ...]
    content_length: int | None
    chunks: Iterator[bytes]
    close: Callable[[], None]


def open_download(
    shape: ByteStreamShape, responses: Iterator[Message], method_name: str
) -> DownloadStream:
    """Reads the description from the servicer's response stream; the content follows."""
    first = next(responses, None)
    if first is None or first.WhichOneof(shape.oneof) != shape.meta.name:
        raise HttpError(
            "INTERNAL", "INTERNAL", f"{method_name}: the stream did not start with its description"
        )
    meta = getattr(first, shape.meta.name)
    headers: list[tuple[str, str]] = [("content-type", "application/octet-stream")]
    content_length = None
    for field in _scalar_fields(shape.meta_type):
        value = _header_value(field, getattr(meta, field.name))
        if value is not None:
            headers.append((header_name(field), value))
        if field.name == SIZE_FIELD and field.type in _INTEGER_TYPES:
            content_length = int(getattr(meta, field.name))

    def chunks() -> Iterator[bytes]:
        for message in responses:
            if message.WhichOneof(shape.oneof) != shape.content.name:
                raise HttpError(
                    "INTERNAL", "INTERNAL", f"{method_name}: a second description in the stream"
                )
            yield getattr(message, shape.content.name)

    def close() -> None:
        closer = getattr(responses, "close", None)
        if closer is not None:
            closer()

    return DownloadStream(tuple(headers), content_length, chunks(), close)
