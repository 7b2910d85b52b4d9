"""Upkeep of metric_blocks: per-block summaries of metric histories, for downsampled reads.

A series' points, in (step, timestamp, id) order, are cut into blocks of BLOCK_POINTS points by
position: block j holds positions 64j .. 64j+63. A metric_blocks row holds block j's first, last,
minimum and maximum point (the same rules as downsampling: NaN is never an extreme, ties go to
the smallest id). Rows exist for a prefix of the blocks, 0 .. J-1 ("sealed"); the points after
them (the tail) are read raw. latest_metrics.sealed_step/_timestamp hold the (step, timestamp)
of the last sealed point.

Invariant: a sealed block holds exactly the points at its positions in the committed series.
  * Appending a point after the last sealed point changes no position: nothing to do. That is
    every point of a training loop, and the writer learns it for free: the latest_metrics upsert
    it already makes returns the mark (the writer compares (step, timestamp) only, so a point
    equal to the mark counts as inside, which is safe).
  * A point at or before the mark shifts the positions of every later point: the same
    transaction deletes every block whose last point is at or after it (`invalidate`) and
    lowers the mark. They are rebuilt by the next downsampled read.
  * Sealing (`seal`) is done by readers, in a write transaction of their own, when the tail has
    grown past MAX_TAIL points; it seals every complete block of the tail.

Concurrency: sealer and writers of one series serialise on its latest_metrics row. The sealer
locks it (FOR UPDATE) before it reads any point; a writer locks it with its upsert, after its
insert, and checks the mark only then. So either the writer committed before the sealer read
(its point is in the blocks), or it reads the mark the sealer committed (and invalidates if its
point is inside). Each statement of the sealer reads a fresh snapshot (READ COMMITTED) taken
after the lock. On SQLite write transactions are serialised anyway (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ....domain.entities import Metric
from ..models import LatestMetricRow, MetricBlockRow, table_of

BLOCK_POINTS = 64
# Points after the last sealed block that a read handles raw before it asks for sealing.
MAX_TAIL = 1024

BLOCKS = table_of(MetricBlockRow)
LATEST = table_of(LatestMetricRow)
B = BLOCKS.c

# Column order of a block row as the readers use it (see block_series.py).
BLOCK_COLUMNS = (
    B.block,
    B.first_id,
    B.first_step,
    B.first_timestamp,
    B.first_value,
    B.last_id,
    B.last_step,
    B.last_timestamp,
    B.last_value,
    B.min_id,
    B.min_step,
    B.min_timestamp,
    B.min_value,
    B.max_id,
    B.max_step,
    B.max_timestamp,
    B.max_value,
)

_INSERT = """
INSERT INTO metric_blocks (
  run_id, key, block,
  first_id, first_step, first_timestamp, first_value,
  last_id, last_step, last_timestamp, last_value,
  min_id, min_step, min_timestamp, min_value,
  max_id, max_step, max_timestamp, max_value)
WITH tail AS (
  SELECT id, value, is_nan,
         row_number() OVER (ORDER BY step, "timestamp", id) - 1 AS i,
         count(*) OVER () AS n
  FROM metrics
  WHERE run_id = :run_id AND key = :key {after}
),
{picked}
SELECT :run_id, :key, :first_block + p.b,
       f.id, f.step, f."timestamp", CASE WHEN f.is_nan THEN NULL ELSE f.value END,
       l.id, l.step, l."timestamp", CASE WHEN l.is_nan THEN NULL ELSE l.value END,
       lo.id, lo.step, lo."timestamp", lo.value,
       hi.id, hi.step, hi."timestamp", hi.value
FROM picked p
JOIN metrics f ON f.id = p.first_id
JOIN metrics l ON l.id = p.last_id
LEFT JOIN metrics lo ON lo.id = p.min_id
LEFT JOIN metrics hi ON hi.id = p.max_id
"""

# PostgreSQL: one hash aggregation; (value, id) arrays order ties by the smaller id (max uses
# -id; float8 holds ids exactly up to 2^53). No join of the points with their blocks for the
# planner to misjudge on a series logged after the last ANALYZE (see downsampling.py).
_PICK_POSTGRES = """
agg AS (
  SELECT i / :size AS b,
         min(id) FILTER (WHERE i % :size = 0) AS first_id,
         min(id) FILTER (WHERE i % :size = :size - 1) AS last_id,
         min(ARRAY[value, id::float8]) FILTER (WHERE NOT is_nan) AS lowest,
         max(ARRAY[value, -id::float8]) FILTER (WHERE NOT is_nan) AS highest
  FROM tail WHERE i < n - n % :size
  GROUP BY i / :size
),
picked AS (
  SELECT b, first_id, last_id, lowest[2]::bigint AS min_id, (-highest[2])::bigint AS max_id
  FROM agg
)"""

_PICK_PORTABLE = """
ext AS (
  SELECT i / :size AS b,
         min(id) FILTER (WHERE i % :size = 0) AS first_id,
         min(id) FILTER (WHERE i % :size = :size - 1) AS last_id,
         min(value) FILTER (WHERE NOT is_nan) AS vmin,
         max(value) FILTER (WHERE NOT is_nan) AS vmax
  FROM tail WHERE i < n - n % :size
  GROUP BY i / :size
),
picked AS (
  SELECT e.b, e.first_id, e.last_id,
         min(t.id) FILTER (WHERE NOT t.is_nan AND t.value = e.vmin) AS min_id,
         min(t.id) FILTER (WHERE NOT t.is_nan AND t.value = e.vmax) AS max_id
  FROM tail t JOIN ext e ON e.b = t.i / :size
  GROUP BY e.b, e.first_id, e.last_id
)"""


def seal(conn: sa.Connection, run_id: str, key: str) -> int:
    """Summarises every complete block after the last sealed one; returns how many blocks were
    added. Needs a write transaction."""
    locked = conn.execute(
        sa.select(LATEST.c.run_id)
        .where(LATEST.c.run_id == run_id, LATEST.c.key == key)
        .with_for_update()
    ).first()
    if locked is None:  # no point logged
        return 0
    last = last_block(conn, run_id, key)
    after, first_block, bound = "", 0, {}
    if last is not None:
        after = 'AND (step, "timestamp", id) > (:after_step, :after_timestamp, :after_id)'
        first_block = last.block + 1
        bound = {
            "after_step": last.last_step,
            "after_timestamp": last.last_timestamp,
            "after_id": last.last_id,
        }
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    picked = _PICK_POSTGRES if conn.dialect.name == "postgresql" else _PICK_PORTABLE
    added = conn.execute(
        sa.text(_INSERT.format(after=after, picked=picked)),
        {
            "run_id": run_id,
            "key": key,
            "size": BLOCK_POINTS,
            "first_block": first_block,
            **bound,
        },
    ).rowcount
    if added:
        _set_mark(conn, run_id, key, last_block(conn, run_id, key))
    return int(added)


def last_block(conn: sa.Connection, run_id: str, key: str) -> Any:
    """The last sealed block's row (block, last_step, last_timestamp, last_id), or None."""
    return conn.execute(
        sa.select(B.block, B.last_step, B.last_timestamp, B.last_id)
        .where(B.run_id == run_id, B.key == key)
        .order_by(B.block.desc())
        .limit(1)
    ).first()


def _set_mark(conn: sa.Connection, run_id: str, key: str, last: Any = None) -> None:
    """Points latest_metrics' mark at the last point of `last` (a block row), or clears it."""
    conn.execute(
        sa.update(LATEST)
        .where(LATEST.c.run_id == run_id, LATEST.c.key == key)
        .values(
            sealed_step=None if last is None else last.last_step,
            sealed_timestamp=None if last is None else last.last_timestamp,
        )
    )


def invalidate(conn: sa.Connection, run_id: str, key: str, step: int, timestamp: int) -> None:
    """Drops the blocks that a new point at (step, timestamp) may shift: every block whose last
    point is at or after it. The caller holds the series' latest_metrics row lock (its upsert)."""
    # Blocks are in series order, so the ones to keep are a prefix: find its end walking back
    # from the last block (a new point usually lands near the end), then drop the rest by key.
    kept = conn.execute(
        sa.select(B.block, B.last_step, B.last_timestamp)
        .where(
            B.run_id == run_id,
            B.key == key,
            sa.tuple_(B.last_step, B.last_timestamp) < (step, timestamp),
        )
        .order_by(B.block.desc())
        .limit(1)
    ).first()
    stale = sa.delete(BLOCKS).where(B.run_id == run_id, B.key == key)
    if kept is not None:
        stale = stale.where(B.block > kept.block)
    if conn.execute(stale).rowcount:
        _set_mark(conn, run_id, key, kept)


def invalidate_for(
    conn: sa.Connection,
    run_id: str,
    points: Sequence[Metric],
    marks: dict[str, tuple[int | None, int | None]],
) -> None:
    """Invalidates what a batch of new points needs. `marks` holds, per key, the mark that the
    latest_metrics upsert returned; a key without one was not updated because the batch's
    latest point is older than the stored one, so its points are out of order."""
    earliest: dict[str, tuple[int, int]] = {}
    for point in points:
        position = (point.step, point.timestamp)
        if point.key in marks:
            step, timestamp = marks[point.key]
            if step is None or timestamp is None or position > (step, timestamp):
                continue  # nothing sealed in this series, or an append after every sealed point
        known = earliest.get(point.key)
        if known is None or position < known:
            earliest[point.key] = position
    for key in sorted(earliest):
        invalidate(conn, run_id, key, *earliest[key])
