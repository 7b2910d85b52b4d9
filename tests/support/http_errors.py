"""Reading the HTTP gateway's error body: a google.rpc.Status as proto3 JSON with one
google.rpc.ErrorInfo, checked for that exact shape and flattened for assertions."""

from __future__ import annotations

from typing import Any

from google.rpc import code_pb2

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def status_error(doc: Any) -> dict[str, Any]:
    """{"code": "NOT_FOUND", "message", "reason", "metadata"} of an error body, after checking
    that it is exactly {"code": <number>, "message", "details": [<ErrorInfo>]}."""
    assert set(doc) == {"code", "message", "details"}, doc
    assert isinstance(doc["code"], int) and doc["message"], doc
    [info] = doc["details"]
    assert set(info) == {"@type", "reason", "domain", "metadata"}, info
    assert (info["@type"], info["domain"]) == (ERROR_INFO, "trackd.io"), info
    return {
        "code": code_pb2.Code.Name(doc["code"]),
        "message": doc["message"],
        "reason": info["reason"],
        "metadata": info["metadata"],
    }
