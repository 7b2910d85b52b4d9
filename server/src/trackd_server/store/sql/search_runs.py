"""The SQL of run search: one query per page, keyset-paginated.

The spec's filter is compiled by trackd_server.store.sql.filters. Its order lists (sort key,
descending) pairs, where a key is `metrics.<key>`, `params.<key>`, `tags.<key>` or an attribute
name. Runs without the key (and NaN metrics) sort last in either direction, and run_id ends
every order so that pages never skip or repeat a run.

When the first sort key is a metric, param or tag, the page is read in two parts within one
statement: the runs that have a value, walked in value order (for metrics straight off the
(key, value) index, stopping after one page), then, only if those did not fill the page, the
runs without one. A single LEFT JOIN with NULLS LAST would have to join and sort every run of
the experiments for each page. Later sort keys are LEFT OUTER JOINs on their (run_id, key)
primary key.

Building that statement in SQLAlchemy costs more than the database spends planning it, so the
statement of each search shape (experiments, stages, filter, order, page size, read mask and
which cursor values are NULL) is built once and kept (an LRU of _CACHED_SHAPES); a later page
of the same search binds only its cursor values. On PostgreSQL the statement also carries each
run's tags, params and metrics (run_data.json_data_columns), so a page is one round trip.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ...domain.entities import LifecycleStage, Run
from ...domain.filters import ATTRIBUTE, METRIC, PARAM, And, Comparison, Expr, split_sort_key
from ...domain.search import SearchSpec
from ..protocol import RunReadMask
from .filters import (
    RUN_ATTRIBUTES,
    compile_run_filter,
    metric_value_condition,
    required_metric_comparisons,
)
from .keyset import SortKey, after, order_clauses
from .models import LatestMetricRow, ParamRow
from .run_data import JSON_DATA_LABEL, attach_data, json_data_column, run_from_json
from .runs import RUN_TAGS, RUNS, run_info_from_row

R = RUNS.c

_KEY_VALUE_TABLES = {METRIC: LatestMetricRow.__table__, PARAM: ParamRow.__table__}
PART = "page_part"  # 0: runs with a value for the first sort key, 1: runs without
_CACHED_SHAPES = 256


def _label(i: int) -> str:
    return f"sort_value_{i}"


def _has_value(table: sa.FromClause, kind: str, key: str) -> sa.ColumnElement[bool]:
    """The join condition of a run to its value for a sort key; a NaN metric counts as none."""
    condition = sa.and_(table.c.run_id == R.run_id, table.c.key == key)
    if kind == METRIC:
        condition = sa.and_(condition, table.c.is_nan.is_(False))
    return condition


def _sort_keys(
    order: Sequence[tuple[str, bool]], first: int = 0
) -> tuple[list[SortKey], sa.FromClause]:
    """The sort keys of `order` (run_id appended) and the FROM clause with their joins."""
    keys: list[SortKey] = []
    source: sa.FromClause = RUNS
    for i, (name, descending) in enumerate(order, start=first):
        kind, key = split_sort_key(name)
        if kind == ATTRIBUTE:
            column, nullable = RUN_ATTRIBUTES[key]
            keys.append(SortKey(column, descending, nullable))
            continue
        table = _KEY_VALUE_TABLES.get(kind, RUN_TAGS).alias(f"sort_{i}")
        source = source.outerjoin(table, _has_value(table, kind, key))
        keys.append(SortKey(table.c.value, descending, nullable=True))
    keys.append(SortKey(R.run_id))
    return keys, source


def _labelled(keys: Sequence[SortKey], source: sa.FromClause, first: int = 0) -> sa.Select[Any]:
    columns = [k.expr.label(_label(i)) for i, k in enumerate(keys, start=first)]
    return sa.select(RUNS, *columns).select_from(source)


@dataclass(frozen=True)
class _Page:
    """What one page's statement is built from."""

    spec: SearchSpec
    experiment_ids: Sequence[int]
    scope: list[sa.ColumnElement[bool]]  # experiments and lifecycle stages searched
    dialect: str
    limit: int
    # None on the first page; else which of the cursor's sort values are NULL. The values
    # themselves are bound at execution (parameters cursor_0, cursor_1, ...).
    cursor_nulls: tuple[bool, ...] | None

    def conditions(self, expression: Expr | None) -> list[sa.ColumnElement[bool]]:
        """The scope and the compiled filter `expression`."""
        if expression is None:
            return self.scope
        return [*self.scope, compile_run_filter(expression, self.dialect)]

    def cursor(self, keys: Sequence[SortKey]) -> list[Any] | None:
        """Stand-ins for the cursor's values, one per sort key: None for a NULL value, else
        the bound parameter that will carry it."""
        if self.cursor_nulls is None:
            return None
        if len(keys) != len(self.cursor_nulls):
            raise ValueError("cursor does not match the sort keys")
        return [
            None if null else sa.bindparam(_cursor_param(i), type_=key.expr.type)
            for i, (key, null) in enumerate(zip(keys, self.cursor_nulls, strict=True))
        ]


def _cursor_param(i: int) -> str:
    return f"cursor_{i}"


# A page statement's row order, as (column label, descending, nullable) triples.
_Order = list[tuple[str, bool, bool]]


def _order_of(keys: Sequence[SortKey], first: int = 0) -> _Order:
    return [(_label(i), k.descending, k.nullable) for i, k in enumerate(keys, start=first)]


def _single_query(page: _Page) -> tuple[sa.Select[Any], _Order]:
    keys, source = _sort_keys(page.spec.order)
    stmt = _labelled(keys, source).where(*page.conditions(page.spec.filter))
    cursor = page.cursor(keys)
    if cursor is not None:
        stmt = stmt.where(after(keys, cursor))
    return stmt.order_by(*order_clauses(keys)).limit(page.limit + 1), _order_of(keys)


def _two_part_query(page: _Page) -> tuple[sa.Select[Any], _Order]:
    spec, wanted = page.spec, page.limit + 1
    (name, descending), rest = spec.order[0], spec.order[1:]
    kind, key = split_sort_key(name)
    rest_keys, rest_source = _sort_keys(rest, first=1)
    table = _KEY_VALUE_TABLES.get(kind, RUN_TAGS).alias("sort_0")
    first = SortKey(table.c.value, descending)
    keys = [first, *rest_keys]
    cursor = page.cursor(keys)
    joined = _has_value(table, kind, key)
    if kind == METRIC:
        # Bounds the walk to the searched experiments' part of the (key, experiment_id, value)
        # index; without it a selective filter may read every run's value for the key.
        joined = sa.and_(joined, table.c.experiment_id.in_(page.experiment_ids))
    present_source = rest_source.join(table, joined)

    # Filter terms on the sort metric move onto its join, where they bound the index range
    # (kept in the filter too, the planner would count their selectivity twice). They also
    # mean that every matching run has a value, so there is no second part to read.
    required = required_metric_comparisons(spec.filter, key) if kind == METRIC else []
    if required:
        remaining = _without(spec.filter, required)
        present = _labelled(keys, present_source).where(
            *page.conditions(remaining), *(metric_value_condition(table, c) for c in required)
        )
        present = _after(present, keys, cursor).order_by(*order_clauses(keys)).limit(wanted)
        return present, _order_of(keys)

    conditions = page.conditions(spec.filter)
    # The runs without a value: after every run with one, ordered by the remaining keys.
    missing = _labelled(rest_keys, rest_source, first=1).add_columns(
        sa.literal(1).label(PART), sa.cast(sa.null(), table.c.value.type).label(_label(0))
    )
    missing = missing.where(
        *conditions, ~sa.exists().where(_has_value(table, kind, key)).correlate(RUNS)
    )
    if cursor is not None and cursor[0] is None:  # the previous page ended among them
        missing = missing.where(after(rest_keys, cursor[1:]))
        missing = missing.order_by(*order_clauses(rest_keys)).limit(wanted)
        return missing, _order_of(rest_keys, first=1)

    present = _labelled(keys, present_source).add_columns(sa.literal(0).label(PART))
    present = _after(present.where(*conditions), keys, cursor)
    present_page = present.order_by(*order_clauses(keys)).limit(wanted).cte("present")
    # The database evaluates this LIMIT once; at 0 it never runs the part below it.
    room = wanted - sa.select(sa.func.count()).select_from(present_page).scalar_subquery()
    missing_page = missing.order_by(*order_clauses(rest_keys)).limit(room).subquery("missing")
    columns = [c.name for c in present_page.c]
    both = sa.union_all(
        sa.select(*(present_page.c[c] for c in columns)),
        sa.select(*(missing_page.c[c] for c in columns)),
    ).subquery("page")
    merged_keys = [SortKey(both.c[PART])] + [
        SortKey(both.c[_label(i)], k.descending, k.nullable) for i, k in enumerate(keys)
    ]
    merged = sa.select(both).order_by(*order_clauses(merged_keys)).limit(wanted)
    return merged, [(PART, False, False), *_order_of(keys)]


def _after(
    stmt: sa.Select[Any], keys: list[SortKey], cursor: Sequence[Any] | None
) -> sa.Select[Any]:
    """Rows of the part with values that sort after `cursor` (whose first value is not None)."""
    if cursor is None:
        return stmt
    first = keys[0]
    # The second condition is implied by the first but usable as an index range on (key, value).
    bound = first.expr <= cursor[0] if first.descending else first.expr >= cursor[0]
    return stmt.where(after(keys, cursor), bound)


def _without(expression: Expr | None, terms: list[Comparison]) -> Expr | None:
    """`expression` (a comparison or an AND) without the given top-level terms."""
    if not isinstance(expression, And):
        return None if expression in terms else expression
    kept = tuple(t for t in expression.operands if t not in terms)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else And(kept)


def search_runs(
    conn: sa.Connection,
    experiment_ids: Sequence[int],
    stages: Sequence[LifecycleStage],
    spec: SearchSpec,
    limit: int,
    cursor: Sequence[Any] | None,
    mask: RunReadMask | None = None,
) -> tuple[list[Run], list[Any] | None]:
    """One page of runs with the data `mask` selects (None: everything) and, if more follow,
    the sort values of its last run (JSON-safe: the service puts them in the page token)."""
    dialect = conn.dialect.name
    nulls = None if cursor is None else tuple(v is None for v in cursor)
    statement = _page_statement(
        dialect, tuple(experiment_ids), tuple(stages), spec, limit, nulls, mask or RunReadMask()
    )
    values = {} if cursor is None else {_cursor_param(i): v for i, v in enumerate(cursor)}
    rows = conn.execute(statement, values).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]._mapping
        next_cursor = [last[_label(i)] for i in range(len(spec.order) + 1)]
    if dialect != "postgresql":
        return attach_data(conn, [run_info_from_row(r) for r in rows], mask), next_cursor
    runs = [run_from_json(run_info_from_row(r), r._mapping[JSON_DATA_LABEL]) for r in rows]
    return runs, next_cursor


@functools.lru_cache(maxsize=_CACHED_SHAPES)
def _page_statement(
    dialect: str,
    experiment_ids: tuple[int, ...],
    stages: tuple[LifecycleStage, ...],
    spec: SearchSpec,
    limit: int,
    cursor_nulls: tuple[bool, ...] | None,
    mask: RunReadMask,
) -> sa.Select[Any]:
    """The statement of one search shape; SQLAlchemy objects are immutable, so threads share
    it, each executing it with its own cursor values."""
    scope: list[sa.ColumnElement[bool]] = [
        R.experiment_id.in_(experiment_ids),
        R.lifecycle_stage.in_([s.value for s in stages]),
    ]
    page = _Page(spec, experiment_ids, scope, dialect, limit, cursor_nulls)
    by_value = bool(spec.order) and split_sort_key(spec.order[0][0])[0] != ATTRIBUTE
    stmt, order = _two_part_query(page) if by_value else _single_query(page)
    if dialect != "postgresql":
        return stmt
    rows = stmt.subquery("page_rows")
    keys = [SortKey(rows.c[label], descending, nullable) for label, descending, nullable in order]
    return sa.select(rows, json_data_column(rows.c.run_id, mask)).order_by(*order_clauses(keys))
