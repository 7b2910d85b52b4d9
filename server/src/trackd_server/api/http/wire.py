"""The transport-free request and response values, and the JSON answers built from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format

from trackd_server.api.errors import http_status_for, status_of
from trackd_server.api.http.json_codec import dumps
from trackd_server.domain.errors import TrackdError

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

    def header_values(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=JSON_HEADERS)


def json_response(
    status: int, doc: Any, extra_headers: Sequence[tuple[str, str]] = ()
) -> HttpResponse:
    return HttpResponse(status, dumps(doc), JSON_HEADERS + tuple(extra_headers))


def error_body(error: TrackdError) -> dict[str, Any]:
    """The error's google.rpc.Status as proto3 JSON, every field present:
    {"code": 5, "message": "...", "details": [{"@type": "type.googleapis.com/google.rpc.
    ErrorInfo", "reason": "RUN_NOT_FOUND", "domain": "trackd.io", "metadata": {...}}]}."""
    return json_format.MessageToDict(status_of(error), always_print_fields_with_no_presence=True)


def error_response(error: TrackdError) -> HttpResponse:
    """The answer for a gateway or domain error (the same Status the gRPC side sends)."""
    status = getattr(error, "http_status", None) or http_status_for(error.code)
    headers = tuple(getattr(error, "headers", {}).items())
    return json_response(status, error_body(error), headers)
