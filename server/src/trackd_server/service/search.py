"""Search requests turned into a store-neutral spec: a checked filter tree and sort keys.

The filter language lives in trackd_server.service.filtering and is compiled to SQL by
trackd_server.store.sql.filters. Sort keys are canonical field names: `metrics.<key>`,
`params.<key>`, `tags.<key>` or a bare attribute name (see domain.filters.split_sort_key).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.errors import InvalidArgument
from ..domain.search import SearchSpec
from .filtering import EXPERIMENT_SCHEMA, RUN_SCHEMA, Schema, parse_filter_text, parse_sort_text

RUN_ORDER_ATTRIBUTES = tuple(RUN_SCHEMA.attributes)
EXPERIMENT_ORDER_ATTRIBUTES = tuple(EXPERIMENT_SCHEMA.attributes)
RUN_DEFAULT_ORDER = ("start_time", True)
EXPERIMENT_DEFAULT_ORDER = ("creation_time", True)
# Each sort key costs a join for metrics, params and tags; more than a few is never useful.
MAX_ORDER_KEYS = 10


def _order(
    items: Sequence[str], schema: Schema, default: tuple[str, bool]
) -> tuple[tuple[str, bool], ...]:
    if len(items) > MAX_ORDER_KEYS:
        raise InvalidArgument(
            f"order_by: at most {MAX_ORDER_KEYS} sort keys, got {len(items)}",
            reason="INVALID_ORDER_BY",
            metadata={"field": "order_by"},
        )
    keys = []
    for i, item in enumerate(items):
        field, descending = parse_sort_text(item, schema, f"order_by[{i}]")
        keys.append((str(field), descending))
    return tuple(keys) or (default,)


def run_search_spec(filter_text: str, order_by: Sequence[str]) -> SearchSpec:
    """The spec of a run search; raises InvalidArgument (reason INVALID_FILTER or
    INVALID_ORDER_BY, metadata field and position) for an invalid filter or sort key."""
    return SearchSpec(
        parse_filter_text(filter_text, RUN_SCHEMA),
        _order(order_by, RUN_SCHEMA, RUN_DEFAULT_ORDER),
    )


def experiment_search_spec(filter_text: str, order_by: Sequence[str]) -> SearchSpec:
    """The spec of an experiment search; errors as for run_search_spec."""
    return SearchSpec(
        parse_filter_text(filter_text, EXPERIMENT_SCHEMA),
        _order(order_by, EXPERIMENT_SCHEMA, EXPERIMENT_DEFAULT_ORDER),
    )
