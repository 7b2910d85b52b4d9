"""trackd's search filter language: a superset of MLflow's (AND, OR, NOT, parentheses, IN and
IS NULL on every field kind), parsed to a typed expression tree that the store compiles to SQL.

    parse_filter_text("metrics.loss < 0.1 AND NOT tags.team = 'x'", RUN_SCHEMA)
    parse_sort_text("metrics.loss DESC", RUN_SCHEMA)

The grammar and semantics are documented in docs/search.md.
"""

from __future__ import annotations

from ...domain.filters import Expr, Field
from .checker import check, resolve_sort_field
from .errors import FilterError, to_invalid_argument
from .parser import parse_filter, parse_sort_item
from .schema import EXPERIMENT_SCHEMA, RUN_SCHEMA, Schema

__all__ = [
    "EXPERIMENT_SCHEMA",
    "RUN_SCHEMA",
    "Expr",
    "Field",
    "Schema",
    "parse_filter_text",
    "parse_sort_text",
]


def parse_filter_text(text: str, schema: Schema, field: str = "filter") -> Expr | None:
    """The checked expression of filter `text` (None when blank); raises InvalidArgument with
    reason INVALID_FILTER and the error's position when `text` is not a valid filter."""
    try:
        expr = parse_filter(text)
        return None if expr is None else check(expr, schema)
    except FilterError as error:
        raise to_invalid_argument(error, text, field) from None


ORDER_REASON = "INVALID_ORDER_BY"


def parse_sort_text(text: str, schema: Schema, field: str = "order_by") -> tuple[Field, bool]:
    """(field, descending) for one order-by item such as `metrics.loss DESC`; raises
    InvalidArgument (reason INVALID_ORDER_BY, with the position) when it is not one."""
    try:
        parsed, descending = parse_sort_item(text)
        return resolve_sort_field(parsed, schema), descending
    except FilterError as error:
        raise to_invalid_argument(error, text, field, ORDER_REASON) from None
