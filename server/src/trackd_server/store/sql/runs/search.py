"""The SQL of run search: one query per page, keyset-paginated.

The spec's filter is compiled by trackd_server.store.sql.filters. Its order lists (sort key,
descending) pairs, where a key is `metrics.<key>`, `params.<key>`, `tags.<key>` or an attribute
name. Runs without the key (and NaN metrics) sort last in either direction, and run_id ends
every order so that pages never skip or repeat a run.

When the first sort key is a metric, param or tag, the page is read in two parts: the runs
that have a value, walked in value order (for metrics straight off the (key, value) index,
stopping after one page), then, by a second statement run only if those did not fill the page,
the runs without one. A single LEFT JOIN with NULLS LAST would have to join and sort every run
of the experiments for each page; one statement holding both parts cost PostgreSQL a third more
planning on every page, for a part that only the last pages of a search read. Later sort keys
are LEFT OUTER JOINs on their (run_id, key) primary key.

Building that statement in SQLAlchemy costs more than the database spends planning it, so the
statement of each search shape (experiments, stages, filter, order, page size, read mask and
which cursor values are NULL) is built once and kept (an LRU of _CACHED_SHAPES); a later page
of the same search binds only its cursor values. The first statement of a page also carries the
lifecycle stage of each searched experiment, which the caller checks. On PostgreSQL it also
carries each run's tags, params and metrics (data.py, json_data_column): a page is one round
trip.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ....domain.entities import LifecycleStage
from ....domain.filters import ATTRIBUTE, METRIC, PARAM, And, Comparison, Expr, split_sort_key
from ....domain.search import SearchSpec
from ...protocol import RunPage, RunReadMask, RunSearch
from ..experiments.repository import SqlExperimentRepository
from ..filters import (
    RUN_ATTRIBUTES,
    compile_run_filter,
    metric_value_condition,
    required_metric_comparisons,
)
from ..keyset import SortKey, after, order_clauses
from ..models import ExperimentRow, LatestMetricRow, ParamRow, table_of
from .data import JSON_DATA_LABEL, attach_data, json_data_column, run_from_json
from .repository import RUN_TAGS, RUNS, run_info_from_row

R = RUNS.c

_KEY_VALUE_TABLES = {METRIC: LatestMetricRow.__table__, PARAM: ParamRow.__table__}
EXPERIMENTS = table_of(ExperimentRow)
STAGES_LABEL = "experiment_stages"
ROOM = "room"  # bound parameter: how many rows the part without values may add to a page
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


@dataclass(frozen=True)
class _Part:
    """A statement reading part of a page, and its row order (order values are labelled
    sort_value_0, sort_value_1, ...)."""

    stmt: sa.Select[Any]
    order: _Order

    def with_data(self, mask: RunReadMask) -> _Part:
        """The same rows with each run's data (PostgreSQL): one round trip for both."""
        rows = self.stmt.subquery("page_rows")
        keys = [SortKey(rows.c[label], desc, nullable) for label, desc, nullable in self.order]
        stmt = sa.select(rows, json_data_column(rows.c.run_id, mask))
        return _Part(stmt.order_by(*order_clauses(keys)), self.order)


@dataclass(frozen=True)
class _Statements:
    """How one page is read: `first`, then, only if it returned fewer rows than the page
    wants, `rest` (if any) with ROOM bound to the number of rows still missing."""

    first: _Part
    rest: _Part | None = None


def _single_query(page: _Page) -> _Statements:
    keys, source = _sort_keys(page.spec.order)
    stmt = _labelled(keys, source).where(*page.conditions(page.spec.filter))
    cursor = page.cursor(keys)
    if cursor is not None:
        stmt = stmt.where(after(keys, cursor))
    return _Statements(
        _Part(stmt.order_by(*order_clauses(keys)).limit(page.limit + 1), _order_of(keys))
    )


def _two_part_query(page: _Page) -> _Statements:
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
        return _Statements(_Part(present, _order_of(keys)))

    conditions = page.conditions(spec.filter)
    # The runs without a value: after every run with one, ordered by the remaining keys.
    missing = _labelled(rest_keys, rest_source, first=1).add_columns(
        sa.cast(sa.null(), table.c.value.type).label(_label(0))
    )
    missing = missing.where(
        *conditions, ~sa.exists().where(_has_value(table, kind, key)).correlate(RUNS)
    ).order_by(*order_clauses(rest_keys))
    missing_order = _order_of(rest_keys, first=1)
    if cursor is not None and cursor[0] is None:  # the previous page ended among them
        missing = missing.where(after(rest_keys, cursor[1:])).limit(wanted)
        return _Statements(_Part(missing, missing_order))

    present = _labelled(keys, present_source)
    present = _after(present.where(*conditions), keys, cursor)
    present = present.order_by(*order_clauses(keys)).limit(wanted)
    room = missing.limit(sa.bindparam(ROOM, type_=sa.Integer))
    return _Statements(_Part(present, _order_of(keys)), _Part(room, missing_order))


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


def _stages_column(experiment_ids: Sequence[int]) -> sa.ColumnElement[Any]:
    """The searched experiments that exist, as "id:stage,id:stage": a subquery that the
    database evaluates once per statement, so the service's check of the searched experiments
    costs no round trip of its own."""
    E = EXPERIMENTS.c
    entry = sa.cast(E.experiment_id, sa.Text) + ":" + E.lifecycle_stage
    stages = sa.select(sa.func.aggregate_strings(entry, ",")).where(
        E.experiment_id.in_(experiment_ids)
    )
    return stages.scalar_subquery().label(STAGES_LABEL)


def _with_stages(part: _Part, experiment_ids: Sequence[int]) -> _Part:
    return _Part(part.stmt.add_columns(_stages_column(experiment_ids)), part.order)


def _parse_stages(text: str | None) -> dict[int, LifecycleStage]:
    found = {}
    for entry in (text or "").split(","):
        if entry:
            experiment_id, stage = entry.split(":")
            found[int(experiment_id)] = LifecycleStage(stage)
    return found


def search_runs(
    conn: sa.Connection, search: RunSearch, limit: int, cursor: Sequence[Any] | None
) -> RunPage:
    """One page of the runs `search` selects and the stages of the searched experiments; the
    cursor is JSON-safe (the service puts it in the page token)."""
    dialect = conn.dialect.name
    nulls = None if cursor is None else tuple(v is None for v in cursor)
    experiment_ids = tuple(search.experiment_ids)
    statements = _page_statements(
        dialect, experiment_ids, tuple(search.stages), search.spec, limit, nulls, search.mask
    )
    values = {} if cursor is None else {_cursor_param(i): v for i, v in enumerate(cursor)}
    # .all() fetches the rows in one call to the driver; iterating fetches them one by one.
    rows = list(conn.execute(statements.first.stmt, values).all())
    if statements.rest is not None and len(rows) <= limit:
        # A second statement sees a later snapshot: a run whose value turned NaN in between
        # would come back twice; it stays where the first statement put it.
        seen = {r.run_id for r in rows}
        rest = conn.execute(statements.rest.stmt, {ROOM: limit + 1 - len(rows)})
        rows += (r for r in rest if r.run_id not in seen)
    if rows:
        found = _parse_stages(rows[0]._mapping[STAGES_LABEL])
    else:  # no row to carry them: one statement of their own
        found = SqlExperimentRepository(conn).stages(experiment_ids)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]._mapping
        next_cursor = [last[_label(i)] for i in range(len(search.spec.order) + 1)]
    if dialect != "postgresql":
        runs = attach_data(conn, [run_info_from_row(r) for r in rows], search.mask)
    else:
        runs = [run_from_json(run_info_from_row(r), r._mapping[JSON_DATA_LABEL]) for r in rows]
    return RunPage(runs, next_cursor, found)


@functools.lru_cache(maxsize=_CACHED_SHAPES)
def _page_statements(
    dialect: str,
    experiment_ids: tuple[int, ...],
    stages: tuple[LifecycleStage, ...],
    spec: SearchSpec,
    limit: int,
    cursor_nulls: tuple[bool, ...] | None,
    mask: RunReadMask,
) -> _Statements:
    """The statements of one search shape; SQLAlchemy objects are immutable, so threads share
    them, each executing them with its own cursor values."""
    scope: list[sa.ColumnElement[bool]] = [
        R.experiment_id.in_(experiment_ids),
        R.lifecycle_stage.in_([s.value for s in stages]),
    ]
    page = _Page(spec, experiment_ids, scope, dialect, limit, cursor_nulls)
    by_value = bool(spec.order) and split_sort_key(spec.order[0][0])[0] != ATTRIBUTE
    statements = _two_part_query(page) if by_value else _single_query(page)
    first = statements.first
    # Every statement carries the stages: a page whose first statement returns no run may
    # still get runs from the second.
    statements = _Statements(
        _with_stages(first, experiment_ids),
        None if statements.rest is None else _with_stages(statements.rest, experiment_ids),
    )
    if dialect != "postgresql":
        return statements
    rest = statements.rest
    return _Statements(
        statements.first.with_data(mask), rest.with_data(mask) if rest is not None else None
    )
