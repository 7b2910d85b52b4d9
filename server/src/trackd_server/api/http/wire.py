"""The transport-free request and response values, and the JSON answers built from them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trackd_server.api.http.errors import HttpError, error_body, http_status_for
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
    body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return HttpResponse(status, body.encode("utf-8"), JSON_HEADERS + tuple(extra_headers))


def error_response(error: HttpError | TrackdError) -> HttpResponse:
    """The JSON error document for a gateway or domain error."""
    status = getattr(error, "http_status", None) or http_status_for(error.code)
    doc = error_body(error.code, error.reason, error.message, status, error.metadata)
    headers = tuple(getattr(error, "headers", {}).items())
    return json_response(status, doc, headers)
