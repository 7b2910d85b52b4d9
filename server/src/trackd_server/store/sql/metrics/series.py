"""Whole series in one answer, downsampled to a point budget when they have more points.

A series is read through its per-block summaries (summaries.py, block_series.py), or exactly
(downsampling.py) when it is short or has too few blocks for the buckets asked for. The
summaries of a series may lag behind its points: when the unsealed tail is longer than
summaries.MAX_TAIL, the read seals it in a write transaction of its own (reads stay read-only
transactions, which matters on SQLite) and reads again; after SUMMARY_ATTEMPTS rounds, which
only a flood of concurrent appends causes, it takes the exact query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ...protocol import MetricSeries, Sampling, SeriesBatch, StepRange
from ..models import MetricRow, table_of
from . import summaries
from .block_series import block_view, merge_units
from .downsampling import bucket_count, downsample_series, group_points
from .history import in_step_range

if TYPE_CHECKING:
    from ..transactions import Database, SqlTransaction

M = table_of(MetricRow).c
Pair = tuple[str, str]
# Rounds of "summaries lag: bring them up to date, read again" before the exact query.
SUMMARY_ATTEMPTS = 2
# Keeps the number of bound parameters of one statement well under SQLite's limit.
_PAIRS_PER_QUERY = 500


def series(db: Database, run_id: str, key: str, sampling: Sampling) -> MetricSeries | None:
    """One series as `sampling` reads it; None when the run is missing."""
    for _ in range(SUMMARY_ATTEMPTS):
        with db.transaction(write=False) as tx:
            found = summarised_series(tx.conn, run_id, key, sampling)
            if found is not None:
                return _unless_run_missing(tx, run_id, found)
        _seal(db, [(run_id, key)])
    with db.transaction(write=False) as tx:
        return _unless_run_missing(tx, run_id, exact_series(tx.conn, run_id, key, sampling))


def _unless_run_missing(
    tx: SqlTransaction, run_id: str, found: MetricSeries
) -> MetricSeries | None:
    # A series with points has a run (points go with their run); only an empty answer needs
    # the statement that tells a missing run from an unlogged key.
    if found.total or tx.runs.get_info(run_id) is not None:
        return found
    return None


def series_batch(
    db: Database, run_ids: Sequence[str], keys: Sequence[str], sampling: Sampling, max_scanned: int
) -> SeriesBatch:
    """The series of every (run, key) pair with points, ordered as the run ids, then the keys;
    see TrackingStore.series_batch."""
    with db.transaction(write=False) as tx:
        for run_id in run_ids:
            if tx.runs.get_info(run_id) is None:
                return SeriesBatch(missing_run=run_id)
        sizes = series_sizes(tx.conn, run_ids, keys, sampling.steps)
        scanned = sum(n for n in sizes.values() if n > sampling.max_points)
        if scanned > max_scanned:
            return SeriesBatch(scanned=scanned)
        found = many_series(tx.conn, sizes, sampling)
    lagging = [pair for pair, one in found.items() if one is None]
    if lagging:
        _seal(db, lagging)
        with db.transaction(write=False) as tx:
            for run_id, key in lagging:
                found[(run_id, key)] = summarised_series(
                    tx.conn, run_id, key, sampling
                ) or exact_series(tx.conn, run_id, key, sampling)
    ordered = [found.get((r, k)) for r in run_ids for k in keys]
    return SeriesBatch([s for s in ordered if s is not None], scanned=scanned)


def _seal(db: Database, pairs: Iterable[Pair]) -> None:
    # One short transaction per series: each locks only that series' latest_metrics row.
    for run_id, key in pairs:
        with db.transaction(write=True) as tx:
            summaries.seal(tx.conn, run_id, key)


def summarised_series(
    conn: sa.Connection, run_id: str, key: str, sampling: Sampling
) -> MetricSeries | None:
    """The series through its summaries; None when they lag too far behind to answer."""
    view = block_view(conn, run_id, key, sampling.steps)
    if view is None:
        return None
    buckets = bucket_count(sampling.max_points)
    if view.total <= sampling.max_points or len(view.units) < buckets:
        # Whole, or too few blocks for the buckets asked for: the exact per-point rule,
        # whose cost (about 1 us per point) is bounded by 64 points per bucket here.
        return exact_series(conn, run_id, key, sampling)
    return MetricSeries(run_id, key, merge_units(key, view.units, buckets), view.total)


def exact_series(conn: sa.Connection, run_id: str, key: str, sampling: Sampling) -> MetricSeries:
    # Most series are short: read up to max_points + 1 points in order, and only when there
    # are more run the (heavier) downsampling query.
    stmt = (
        sa.select(M.run_id, M.key, M.value, M.is_nan, M.step, M.timestamp)
        .where(M.run_id == run_id, M.key == key, *in_step_range(sampling.steps))
        .order_by(M.step, M.timestamp, M.id)
        .limit(sampling.max_points + 1)
    )
    points = group_points(conn.execute(stmt)).get((run_id, key), [])
    if len(points) <= sampling.max_points:
        return MetricSeries(run_id, key, points, len(points))
    return downsample_series(conn, run_id, key, sampling)


def series_sizes(
    conn: sa.Connection, run_ids: Sequence[str], keys: Sequence[str], steps: StepRange
) -> dict[Pair, int]:
    """The number of points of every (run, key) pair that has any in the step range."""
    if not run_ids or not keys:
        return {}
    stmt = (
        sa.select(M.run_id, M.key, sa.func.count())
        .where(M.run_id.in_(run_ids), M.key.in_(keys), *in_step_range(steps))
        .group_by(M.run_id, M.key)
    )
    return {(run_id, key): int(n) for run_id, key, n in conn.execute(stmt)}


def many_series(
    conn: sa.Connection, sizes: dict[Pair, int], sampling: Sampling
) -> dict[Pair, MetricSeries | None]:
    """The series of `sizes` (as series_sizes returns them), each read as `sampling` says;
    None for a series whose summaries lag (as summarised_series)."""
    max_points = sampling.max_points
    found: dict[Pair, MetricSeries | None] = {}
    short = [pair for pair, n in sizes.items() if n <= max_points]
    # Short series together in one query (their points are within the response budget).
    for chunk in _chunks(short, _PAIRS_PER_QUERY):
        stmt = (
            sa.select(M.run_id, M.key, M.value, M.is_nan, M.step, M.timestamp)
            .where(sa.tuple_(M.run_id, M.key).in_(chunk), *in_step_range(sampling.steps))
            .order_by(M.run_id, M.key, M.step, M.timestamp, M.id)
        )
        for pair, points in group_points(conn.execute(stmt)).items():
            found[pair] = MetricSeries(pair[0], pair[1], points, len(points))
    for pair, n in sizes.items():
        known = found.get(pair)
        # Long series one by one; a short one that grew since it was counted joins them.
        if n > max_points or (known is not None and known.total > max_points):
            found[pair] = summarised_series(conn, *pair, sampling)
    return found


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
