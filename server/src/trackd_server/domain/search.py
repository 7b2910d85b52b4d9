"""What a search asks the store for, independent of the query language it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchSpec:
    filter: Any  # a parsed filter expression, or None for "everything"
    order: tuple[tuple[str, bool], ...]  # (sort key, descending); the store adds the id tie-break

    def digest_parts(self) -> tuple[Any, ...]:
        return (repr(self.filter), self.order)
