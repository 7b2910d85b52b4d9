"""SQL persistence of metric points: the append-only history and the latest value per key."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ...domain.entities import Metric
from .dialect import upsert
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


def _metric_from_row(row: Any) -> Metric:
    return Metric(
        key=row.key,
        value=math.nan if row.is_nan else float(row.value),
        timestamp=row.timestamp,
        step=row.step,
    )


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

    def append(self, run_id: str, metrics: Sequence[Metric]) -> None:
        if not metrics:
            return
        self._conn.execute(sa.insert(METRICS), [_point_values(run_id, m) for m in metrics])
        self._raise_latest(run_id, latest_per_key(metrics))

    def _raise_latest(self, run_id: str, latest: dict[str, Metric]) -> None:
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
        )
        self._conn.execute(stmt, [_point_values(run_id, latest[k]) for k in sorted(latest)])

    def latest_for_runs(self, run_ids: Sequence[str]) -> dict[str, list[Metric]]:
        grouped: dict[str, list[Metric]] = {}
        if not run_ids:
            return grouped
        rows = self._conn.execute(
            sa.select(LATEST)
            .where(LATEST.c.run_id.in_(run_ids))
            .order_by(LATEST.c.run_id, LATEST.c.key)
        )
        for row in rows:
            grouped.setdefault(row.run_id, []).append(_metric_from_row(row))
        return grouped

    def history(
        self, run_id: str, key: str, limit: int, cursor: Sequence[Any] | None
    ) -> tuple[list[Metric], list[Any] | None]:
        keys = [SortKey(M.step), SortKey(M.timestamp), SortKey(M.id)]
        stmt = sa.select(M.key, M.value, M.is_nan, M.step, M.timestamp, M.id).where(
            M.run_id == run_id, M.key == key
        )
        if cursor is not None:
            stmt = stmt.where(after(keys, cursor))
        rows = self._conn.execute(stmt.order_by(*order_clauses(keys)).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = [rows[-1].step, rows[-1].timestamp, rows[-1].id] if more else None
        return [_metric_from_row(r) for r in rows], next_cursor
