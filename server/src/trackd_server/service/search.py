"""Search requests turned into a store-neutral spec: a parsed filter and sort keys.

The filter language lives in trackd_server.service.filtering (parser) and is compiled to SQL by
trackd_server.store.sql.filters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from ..domain.errors import InvalidArgument
from ..domain.search import SearchSpec

RUN_ORDER_ATTRIBUTES = (
    "run_id", "run_name", "status", "start_time", "end_time", "user_id", "artifact_uri",
    "experiment_id",
)
EXPERIMENT_ORDER_ATTRIBUTES = ("name", "experiment_id", "creation_time", "last_update_time")
_ORDER_ITEM = re.compile(r"^\s*(?P<key>.+?)(?:\s+(?P<dir>asc|desc))?\s*$", re.IGNORECASE)
_ATTRIBUTE_PREFIXES = ("attributes.", "attribute.", "attr.", "run.")


def _order(items: Sequence[str], allowed: Sequence[str], default: tuple[str, bool]) -> tuple[tuple[str, bool], ...]:
    keys: list[tuple[str, bool]] = []
    for i, item in enumerate(items):
        match = _ORDER_ITEM.match(item)
        if not match:
            raise InvalidArgument(f"order_by[{i}]: {item!r} is empty", metadata={"field": f"order_by[{i}]"})
        key = match.group("key").strip().strip("`\"")
        for prefix in _ATTRIBUTE_PREFIXES:
            if key.lower().startswith(prefix):
                key = key[len(prefix):]
        if key not in allowed:
            raise InvalidArgument(
                f"order_by[{i}]: cannot sort by {key!r}; sortable keys are {', '.join(allowed)}",
                metadata={"field": f"order_by[{i}]"},
            )
        keys.append((key, (match.group("dir") or "asc").lower() == "desc"))
    return tuple(keys) or (default,)


def _no_filter_yet(text: str) -> None:
    if text.strip():
        raise InvalidArgument("filter: filter expressions are not supported by this server yet",
                              reason="FILTER_UNSUPPORTED", metadata={"field": "filter"})


def run_search_spec(filter_text: str, order_by: Sequence[str]) -> SearchSpec:
    _no_filter_yet(filter_text)
    return SearchSpec(None, _order(order_by, RUN_ORDER_ATTRIBUTES, ("start_time", True)))


def experiment_search_spec(filter_text: str, order_by: Sequence[str]) -> SearchSpec:
    _no_filter_yet(filter_text)
    return SearchSpec(None, _order(order_by, EXPERIMENT_ORDER_ATTRIBUTES, ("creation_time", True)))
