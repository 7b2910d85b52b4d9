"""SQL persistence of metric points: the append-only history and the latest value per key."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ...domain.entities import Metric
from ..protocol import ALL_STEPS, HistoryColumns, MetricSeries, StepRange
from . import summaries
from .block_reads import block_view, merge_units
from .dialect import upsert
from .downsampling import bucket_count, downsample_series, group_points
from .history_columns import column_page
from .keyset import SortKey, after, order_clauses
from .models import LatestMetricRow, MetricRow, table_of

METRICS = table_of(MetricRow)
LATEST = table_of(LatestMetricRow)
M = METRICS.c


def _point_values(run_id: str, metric: Metric) -> dict[str, Any]:
    nan = math.isnan(metric.value)
    return {
        "run_id": run_id,
        "key": metric.key,
        "value": 0.0 if nan else metric.value,
        "is_nan": nan,
        "step": metric.step,
        "timestamp": metric.timestamp,
    }


# A batch on PostgreSQL: one INSERT of five array parameters instead of an executemany of one
# row each (1000 points: about 5 ms instead of 35). Rows are inserted in the batch's order
# (WITH ORDINALITY), so their ids keep the logging order that breaks ties in a history.
_INSERT_FROM_ARRAYS = sa.text(
    """
INSERT INTO metrics (run_id, key, value, is_nan, step, "timestamp")
SELECT CAST(:run_id AS varchar), k, v, n, s, t
FROM unnest(CAST(:keys AS varchar[]), CAST(:values AS float8[]), CAST(:is_nan AS boolean[]),
            CAST(:steps AS bigint[]), CAST(:timestamps AS bigint[]))
     WITH ORDINALITY AS point(k, v, n, s, t, position)
ORDER BY position
"""
)


def _point_arrays(run_id: str, metrics: Sequence[Metric]) -> dict[str, Any]:
    nan = [math.isnan(m.value) for m in metrics]
    return {
        "run_id": run_id,
        "keys": [m.key for m in metrics],
        "values": [0.0 if n else m.value for m, n in zip(metrics, nan, strict=True)],
        "is_nan": nan,
        "steps": [m.step for m in metrics],
        "timestamps": [m.timestamp for m in metrics],
    }


def _metric_from_row(row: Any) -> Metric:
    return Metric(
        key=row.key,
        value=math.nan if row.is_nan else float(row.value),
        timestamp=row.timestamp,
        step=row.step,
    )


def driver_rows(result: sa.CursorResult[Any]) -> list[Any]:
    """All rows of a result as the driver's own tuples. For pages of 25000 points SQLAlchemy's
    Row objects cost more than the query itself, and these columns need no conversion
    (SQLite's 0/1 booleans are only tested for truth)."""
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def latest_per_key(metrics: Sequence[Metric]) -> dict[str, Metric]:
    """The latest point of each key within one batch: greatest (step, timestamp); on a tie the
    one given last, as if the points had been logged one by one."""
    latest: dict[str, Metric] = {}
    for metric in metrics:
        current = latest.get(metric.key)
        if current is None or (metric.step, metric.timestamp) >= (current.step, current.timestamp):
            latest[metric.key] = metric
    return latest


class SqlMetricRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def append(self, run_id: str, experiment_id: int, metrics: Sequence[Metric]) -> None:
        if not metrics:
            return
        if self._conn.dialect.name == "postgresql" and len(metrics) > 1:
            self._conn.execute(_INSERT_FROM_ARRAYS, _point_arrays(run_id, metrics))
        else:
            self._conn.execute(sa.insert(METRICS), [_point_values(run_id, m) for m in metrics])
        marks = self._raise_latest(run_id, experiment_id, latest_per_key(metrics))
        summaries.invalidate_for(self._conn, run_id, metrics, marks)

    def _raise_latest(
        self, run_id: str, experiment_id: int, latest: dict[str, Metric]
    ) -> dict[str, tuple[int | None, int | None]]:
        """Raises the latest point of each key; returns, per key whose row was inserted or
        raised, the summaries' mark of that series (see summaries.py). Keys left out kept a
        later stored point: their batch is out of order."""
        # One upsert per key, in key order, so concurrent writers lock rows in the same order.
        # The WHERE keeps a stored point that is later than the incoming one.
        stmt = upsert(self._conn, LATEST)
        current = LATEST.c
        incoming = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=["run_id", "key"],
            set_={
                "value": incoming.value,
                "is_nan": incoming.is_nan,
                "step": incoming.step,
                "timestamp": incoming.timestamp,
            },
            where=sa.or_(
                incoming.step > current.step,
                sa.and_(incoming.step == current.step, incoming.timestamp >= current.timestamp),
            ),
        ).returning(current.key, current.sealed_step, current.sealed_timestamp)
        rows = self._conn.execute(
            stmt,
            [
                {**_point_values(run_id, latest[k]), "experiment_id": experiment_id}
                for k in sorted(latest)
            ],
        )
        return {key: (step, timestamp) for key, step, timestamp in rows}

    def history(
        self,
        run_id: str,
        key: str,
        limit: int,
        cursor: Sequence[Any] | None,
        steps: StepRange = ALL_STEPS,
    ) -> tuple[list[Metric], list[Any] | None]:
        keys = [SortKey(M.step), SortKey(M.timestamp), SortKey(M.id)]
        stmt = sa.select(M.value, M.is_nan, M.step, M.timestamp, M.id).where(
            M.run_id == run_id, M.key == key, *_in_range(steps)
        )
        if cursor is not None:
            stmt = stmt.where(after(keys, cursor))
        stmt = stmt.order_by(*order_clauses(keys)).limit(limit + 1)
        rows = driver_rows(self._conn.execute(stmt))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = list(rows[-1][2:]) if more else None
        nan = math.nan
        points = [
            Metric(key, nan if is_nan else value, timestamp, step)
            for value, is_nan, step, timestamp, _ in rows
        ]
        return points, next_cursor

    def history_columns(
        self,
        run_id: str,
        key: str,
        limit: int,
        cursor: Sequence[Any] | None,
        steps: StepRange = ALL_STEPS,
    ) -> tuple[HistoryColumns, list[Any] | None]:
        return column_page(self._conn, run_id, key, limit, cursor, steps)

    def series(
        self,
        run_id: str,
        key: str,
        max_points: int,
        steps: StepRange,
        summarized: bool = True,
    ) -> MetricSeries | None:
        if not summarized:
            return self._exact_series(run_id, key, max_points, steps)
        view = block_view(self._conn, run_id, key, steps)
        if view is None:
            return None
        buckets = bucket_count(max_points)
        if view.total <= max_points or len(view.units) < buckets:
            # Whole, or too few blocks for the buckets asked for: the exact per-point rule,
            # whose cost (about 1 us per point) is bounded by 64 points per bucket here.
            return self._exact_series(run_id, key, max_points, steps)
        return MetricSeries(run_id, key, merge_units(key, view.units, buckets), view.total)

    def summarize(self, run_id: str, key: str) -> int:
        return summaries.seal(self._conn, run_id, key)

    def _exact_series(
        self, run_id: str, key: str, max_points: int, steps: StepRange
    ) -> MetricSeries:
        # Most series are short: read up to max_points + 1 points in order, and only when there
        # are more run the (heavier) downsampling query.
        stmt = (
            sa.select(M.run_id, M.key, M.value, M.is_nan, M.step, M.timestamp)
            .where(M.run_id == run_id, M.key == key, *_in_range(steps))
            .order_by(M.step, M.timestamp, M.id)
            .limit(max_points + 1)
        )
        points = group_points(self._conn.execute(stmt)).get((run_id, key), [])
        if len(points) <= max_points:
            return MetricSeries(run_id, key, points, len(points))
        return downsample_series(self._conn, run_id, key, max_points, steps)

    def series_sizes(
        self, run_ids: Sequence[str], keys: Sequence[str], steps: StepRange
    ) -> dict[tuple[str, str], int]:
        if not run_ids or not keys:
            return {}
        stmt = (
            sa.select(M.run_id, M.key, sa.func.count())
            .where(M.run_id.in_(run_ids), M.key.in_(keys), *_in_range(steps))
            .group_by(M.run_id, M.key)
        )
        return {(run_id, key): int(n) for run_id, key, n in self._conn.execute(stmt)}

    def many_series(
        self, sizes: dict[tuple[str, str], int], max_points: int, steps: StepRange
    ) -> dict[tuple[str, str], MetricSeries | None]:
        found: dict[tuple[str, str], MetricSeries | None] = {}
        short = [pair for pair, n in sizes.items() if n <= max_points]
        # Short series together in one query (their points are within the response budget).
        for chunk in _chunks(short, _PAIRS_PER_QUERY):
            stmt = (
                sa.select(M.run_id, M.key, M.value, M.is_nan, M.step, M.timestamp)
                .where(sa.tuple_(M.run_id, M.key).in_(chunk), *_in_range(steps))
                .order_by(M.run_id, M.key, M.step, M.timestamp, M.id)
            )
            for pair, points in group_points(self._conn.execute(stmt)).items():
                found[pair] = MetricSeries(pair[0], pair[1], points, len(points))
        for pair, n in sizes.items():
            known = found.get(pair)
            # Long series one by one; a short one that grew since it was counted joins them.
            if n > max_points or (known is not None and known.total > max_points):
                found[pair] = self.series(*pair, max_points, steps)
        return found


# Keeps the number of bound parameters of one statement well under SQLite's limit.
_PAIRS_PER_QUERY = 500


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _in_range(steps: StepRange) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if steps.start is not None:
        conditions.append(M.step >= steps.start)
    if steps.end is not None:
        conditions.append(M.step <= steps.end)
    return conditions
