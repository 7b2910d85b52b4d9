"""Errors of the filter language, located by character offset in the text."""

from __future__ import annotations

from ...domain.errors import InvalidArgument

REASON = "INVALID_FILTER"
_EXCERPT_WIDTH = 72


class FilterError(Exception):
    """A problem at a 0-based character offset of the text being parsed. The public entry
    points turn it into InvalidArgument with an excerpt of the text and a caret."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


def excerpt(text: str, pos: int) -> str:
    """Two lines: a window of the text around `pos`, and a caret under `pos`."""
    start = max(0, min(pos - _EXCERPT_WIDTH // 2, len(text) - _EXCERPT_WIDTH))
    end = min(len(text), start + _EXCERPT_WIDTH)
    head = "..." if start > 0 else ""
    tail = "..." if end < len(text) else ""
    window = "".join(" " if c.isspace() else c for c in text[start:end])
    return f"  {head}{window}{tail}\n  {' ' * (len(head) + pos - start)}^"


def to_invalid_argument(
    error: FilterError, text: str, field: str, reason: str = REASON
) -> InvalidArgument:
    """The API error for `error` in `text`, the value of request field `field`."""
    return InvalidArgument(
        f"{field}: {error.message} (at position {error.pos})\n{excerpt(text, error.pos)}",
        reason=reason,
        metadata={"field": field, "position": str(error.pos)},
    )
