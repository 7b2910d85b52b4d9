"""Opaque, tamper-checked page tokens.

A token carries the keyset cursor of the last row served and a digest of the query it belongs
to, signed with a key shared by every server process on the database. A token that was altered,
or is used with another query, is INVALID_ARGUMENT rather than a wrong page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from ..domain.errors import InvalidArgument


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def query_digest(*parts: Any) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class PageTokens:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, query: str, cursor: Sequence[Any] | None) -> str:
        if cursor is None:
            return ""
        payload = json.dumps({"q": query, "c": list(cursor)}, separators=(",", ":")).encode()
        signature = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        return f"{_b64(payload)}.{_b64(signature)}"

    def decode(self, query: str, token: str, field: str = "page_token") -> list[Any] | None:
        if not token:
            return None
        try:
            payload_text, signature_text = token.split(".", 1)
            payload, signature = _unb64(payload_text), _unb64(signature_text)
        except ValueError as exc:
            raise self._invalid(field) from exc
        expected = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(signature, expected):
            raise self._invalid(field)
        data = json.loads(payload)
        if data.get("q") != query:
            raise InvalidArgument(
                f"{field}: the token belongs to a different query; send the same filter, order "
                "and scope as the request that returned it",
                reason="INVALID_PAGE_TOKEN",
                metadata={"field": field},
            )
        return list(data["c"])

    @staticmethod
    def _invalid(field: str) -> InvalidArgument:
        return InvalidArgument(
            f"{field}: not a token this server issued (altered or truncated)",
            reason="INVALID_PAGE_TOKEN",
            metadata={"field": field},
        )


def page_size(value: int, default: int, maximum: int, field: str = "page_size") -> int:
    if value == 0:
        return default
    if value < 0 or value > maximum:
        raise InvalidArgument(
            f"{field}: {value} is outside 1..{maximum} (0 means the default, {default})",
            reason="PAGE_SIZE_OUT_OF_RANGE",
            metadata={"field": field, "maximum": str(maximum)},
        )
    return value
