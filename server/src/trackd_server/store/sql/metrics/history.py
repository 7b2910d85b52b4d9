"""Pages of a metric history, in (step, timestamp, id) order, keyset-paginated: as rows
(Metric objects) or as three columns (steps, timestamps, values), for the COLUMNS layout of
GetMetricHistory.

Rows are read as the driver's tuples (rows.driver_rows).

Columns:

On PostgreSQL the page leaves the database as three arrays in one row, read with psycopg's
binary protocol: the driver turns each array into a list in C, so no Python object is made
per row (only the numbers themselves), which is about half the cost of reading rows. The
arrays are aggregated from a subquery that is already in (step, timestamp, id) order: with no
ORDER BY inside array_agg, PostgreSQL 15 would otherwise sort each array again; aggregating
the rows of an ordered subquery keeps their order (a LIMIT cannot be parallelised below the
aggregate).

The page token needs the last point's (step, timestamp, id), but an array of ids would cost as
much as another column. So the query reads one point more than the page: when that point's
(step, timestamp) differs from the last one's, every point sharing the last one's (step,
timestamp) is in the page and the cursor is (step, timestamp, largest id). Only when they tie,
which takes two points logged at the same step in the same millisecond across the page
boundary, is the page read again with its last id (one statement, so one snapshot).

SQLite reads rows and transposes them.
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa

from ....domain.entities import Metric
from ...protocol import HistoryColumns, HistoryPage, StepRange
from ..keyset import SortKey, after, order_clauses
from ..models import MetricRow, table_of
from ..rows import driver_rows

M = table_of(MetricRow).c

# Larger than any id: (step, timestamp, _AFTER_ALL_IDS) sorts after every point at (step,
# timestamp).
_AFTER_ALL_IDS = 2**63 - 1

_ARRAYS = """array_agg(step), array_agg("timestamp"),
       array_agg(CASE WHEN is_nan THEN 'NaN'::float8 ELSE value END)"""

_PAGE_POSTGRES = """
SELECT {arrays}{last}
FROM (SELECT id, step, "timestamp", value, is_nan FROM metrics
      WHERE run_id = %(run_id)s AND key = %(key)s {conditions}
      ORDER BY step, "timestamp", id LIMIT %(limit)s) page
"""

_PAGE_PORTABLE = """
SELECT step, "timestamp", value, is_nan, id FROM metrics
WHERE run_id = :run_id AND key = :key {conditions}
ORDER BY step, "timestamp", id LIMIT :limit
"""


def in_step_range(steps: StepRange) -> list[sa.ColumnElement[bool]]:
    """Conditions on metrics.step for the step range."""
    conditions: list[sa.ColumnElement[bool]] = []
    if steps.start is not None:
        conditions.append(M.step >= steps.start)
    if steps.end is not None:
        conditions.append(M.step <= steps.end)
    return conditions


def row_page(conn: sa.Connection, page: HistoryPage) -> tuple[list[Metric], list[Any] | None]:
    """The page's points, and the cursor of the next page (None on the last page)."""
    keys = [SortKey(M.step), SortKey(M.timestamp), SortKey(M.id)]
    stmt = sa.select(M.value, M.is_nan, M.step, M.timestamp, M.id).where(
        M.run_id == page.run_id, M.key == page.key, *in_step_range(page.steps)
    )
    if page.cursor is not None:
        stmt = stmt.where(after(keys, page.cursor))
    stmt = stmt.order_by(*order_clauses(keys)).limit(page.limit + 1)
    rows = driver_rows(conn.execute(stmt))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = list(rows[-1][2:]) if more else None
    nan = math.nan
    points = [
        Metric(page.key, nan if is_nan else value, timestamp, step)
        for value, is_nan, step, timestamp, _ in rows
    ]
    return points, next_cursor


def _conditions(page: HistoryPage, style: str) -> tuple[str, dict[str, Any]]:
    """SQL conditions for the page's step range and cursor, with `style` "pyformat" (psycopg)
    or "named" (SQLAlchemy text)."""
    steps, cursor = page.steps, page.cursor

    def name(n: str) -> str:
        return f"%({n})s" if style == "pyformat" else f":{n}"

    parts: list[str] = []
    bound: dict[str, Any] = {}
    if steps.start is not None:
        parts.append(f"AND step >= {name('start_step')}")
        bound["start_step"] = steps.start
    if steps.end is not None:
        parts.append(f"AND step <= {name('end_step')}")
        bound["end_step"] = steps.end
    if cursor is not None:
        parts.append(
            f'AND (step, "timestamp", id) > ({name("after_step")}, {name("after_timestamp")}, '
            f"{name('after_id')})"
        )
        bound.update(zip(("after_step", "after_timestamp", "after_id"), cursor, strict=True))
    return " ".join(parts), bound


def column_page(conn: sa.Connection, page: HistoryPage) -> tuple[HistoryColumns, list[Any] | None]:
    """The page's points as columns, and the cursor of the next page (None on the last page)."""
    if conn.dialect.name == "postgresql":
        return _postgres_page(conn, page)
    return _portable_page(conn, page)


def _postgres_page(
    conn: sa.Connection, page: HistoryPage
) -> tuple[HistoryColumns, list[Any] | None]:
    conditions, bound = _conditions(page, "pyformat")
    params = {"run_id": page.run_id, "key": page.key, **bound}
    limit = page.limit
    # The psycopg connection under SQLAlchemy's, inside the same transaction.
    driver = conn.connection.driver_connection
    with driver.cursor(binary=True) as cur:  # type: ignore[union-attr]
        cur.execute(
            _PAGE_POSTGRES.format(arrays=_ARRAYS, last="", conditions=conditions),
            {**params, "limit": limit + 1},
        )
        steps_col, timestamps, values = cur.fetchone()
        if steps_col is None:
            return HistoryColumns(), None
        if len(steps_col) <= limit:
            return HistoryColumns(steps_col, timestamps, values), None
        last = (steps_col[limit - 1], timestamps[limit - 1])
        if last != (steps_col[limit], timestamps[limit]):
            del steps_col[limit:], timestamps[limit:], values[limit:]
            return HistoryColumns(steps_col, timestamps, values), [*last, _AFTER_ALL_IDS]
        cur.execute(
            _PAGE_POSTGRES.format(
                arrays=_ARRAYS, last=', max(ARRAY[step, "timestamp", id])', conditions=conditions
            ),
            {**params, "limit": limit},
        )
        steps_col, timestamps, values, last_point = cur.fetchone()
    return HistoryColumns(steps_col, timestamps, values), list(last_point)


def _portable_page(
    conn: sa.Connection, page: HistoryPage
) -> tuple[HistoryColumns, list[Any] | None]:
    conditions, bound = _conditions(page, "named")
    rows = driver_rows(
        conn.execute(
            sa.text(_PAGE_PORTABLE.format(conditions=conditions)),
            {"run_id": page.run_id, "key": page.key, "limit": page.limit + 1, **bound},
        )
    )
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    if not rows:
        return HistoryColumns(), None
    nan = math.nan
    columns = HistoryColumns(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [nan if r[3] else r[2] for r in rows],
    )
    return columns, [rows[-1][0], rows[-1][1], rows[-1][4]] if more else None
