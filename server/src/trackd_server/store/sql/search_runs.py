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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ...domain.entities import LifecycleStage, RunInfo
from ...domain.filters import ATTRIBUTE, METRIC, PARAM, And, Comparison, Expr, split_sort_key
from ...domain.search import SearchSpec
from .filters import (
    RUN_ATTRIBUTES,
    compile_run_filter,
    metric_value_condition,
    required_metric_comparisons,
)
from .keyset import SortKey, after, order_clauses
from .models import LatestMetricRow, ParamRow
from .runs import RUN_TAGS, RUNS, run_info_from_row

R = RUNS.c

_KEY_VALUE_TABLES = {METRIC: LatestMetricRow.__table__, PARAM: ParamRow.__table__}
PART = "page_part"  # 0: runs with a value for the first sort key, 1: runs without


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
    cursor: Sequence[Any] | None

    def conditions(self, expression: Expr | None) -> list[sa.ColumnElement[bool]]:
        """The scope and the compiled filter `expression`."""
        if expression is None:
            return self.scope
        return [*self.scope, compile_run_filter(expression, self.dialect)]


def _single_query(page: _Page) -> sa.Select[Any]:
    keys, source = _sort_keys(page.spec.order)
    stmt = _labelled(keys, source).where(*page.conditions(page.spec.filter))
    if page.cursor is not None:
        stmt = stmt.where(after(keys, page.cursor))
    return stmt.order_by(*order_clauses(keys)).limit(page.limit + 1)


def _two_part_query(page: _Page) -> sa.Select[Any]:
    spec, cursor, wanted = page.spec, page.cursor, page.limit + 1
    (name, descending), rest = spec.order[0], spec.order[1:]
    kind, key = split_sort_key(name)
    rest_keys, rest_source = _sort_keys(rest, first=1)
    table = _KEY_VALUE_TABLES.get(kind, RUN_TAGS).alias("sort_0")
    first = SortKey(table.c.value, descending)
    keys = [first, *rest_keys]
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
        return _after(present, keys, cursor).order_by(*order_clauses(keys)).limit(wanted)

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
        return missing.order_by(*order_clauses(rest_keys)).limit(wanted)

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
    return sa.select(both).order_by(*order_clauses(merged_keys)).limit(wanted)


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
) -> tuple[list[RunInfo], list[Any] | None]:
    """One page of runs and, if more follow, the sort values of its last run (JSON-safe: the
    service puts them in the page token)."""
    scope: list[sa.ColumnElement[bool]] = [
        R.experiment_id.in_(experiment_ids),
        R.lifecycle_stage.in_([s.value for s in stages]),
    ]
    page = _Page(spec, experiment_ids, scope, conn.dialect.name, limit, cursor)
    by_value = bool(spec.order) and split_sort_key(spec.order[0][0])[0] != ATTRIBUTE
    rows = conn.execute(_two_part_query(page) if by_value else _single_query(page)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]._mapping
        next_cursor = [last[_label(i)] for i in range(len(spec.order) + 1)]
    return [run_info_from_row(r) for r in rows], next_cursor
