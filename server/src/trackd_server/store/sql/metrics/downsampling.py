"""Downsampling metric histories inside the database, so only the kept points leave it.

A series of n points (ordered by step, timestamp, id) that has more than `max_points` points is
split by position into B = max_points // 4 buckets: point i (0-based) falls in bucket
floor(i * B / n), so bucket sizes differ by at most one point. Of each bucket the first, the
last, the minimum and the maximum point are kept: at most 4 * B <= max_points points, fewer
when they coincide. Among equal minima (or maxima) the point logged first (smallest id) is
kept. NaN points are never a bucket's minimum or maximum (they can be its first or last);
+-Infinity are ordinary values. A series of at most max_points points is returned whole.

Position buckets rather than step ranges: MLflow users often log without a step (every point
at step 0), and equal-count buckets bound the work per bucket whatever the step spacing.

Why this SQL shape: the series is read once, in order, through the (run_id, key, step,
timestamp, id) index, numbered with row_number() and kept in memory (a CTE). The first and last
point of a bucket follow from arithmetic on the position (i is first when (i * B) mod n < B),
so they need no sort. Extremes take two hash aggregations over the in-memory rows (the extreme
value per bucket, then the id of the first point that has it), and the kept points are read
back by primary key. Window functions and FILTER need SQLite >= 3.30 (Python 3.11 bundles a
newer one) or any supported PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ....domain.entities import Metric
from ...protocol import MetricSeries, Sampling, StepRange

# PostgreSQL: keep the numbered series in memory (a 10^6-point series is about 70 MB), prefer
# the ordered index scan (no sort) and skip JIT compilation, which costs more than it saves at
# this size. SET LOCAL ends with the transaction.
_POSTGRES_SETTINGS = (
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL jit = off",
    "SET LOCAL random_page_cost = 1.1",
)

# The series in order, each point with its position (idx) and the series' length (n); both
# queries start from it. {step_range} is left for step_conditions().
_NUMBERED = """
WITH numbered AS (
  SELECT id, value, is_nan,
         row_number() OVER (ORDER BY step, "timestamp", id) - 1 AS idx,
         count(*) OVER () AS n
  FROM metrics
  WHERE run_id = :run_id AND key = :key {step_range}
),"""

_DOWNSAMPLE = (
    _NUMBERED
    + """
pts AS (
  SELECT id, value, is_nan, idx, n, idx * :buckets / n AS bucket FROM numbered
),
ext AS (
  SELECT bucket,
         min(value) FILTER (WHERE NOT is_nan) AS vmin,
         max(value) FILTER (WHERE NOT is_nan) AS vmax,
         min(id) FILTER (WHERE (idx * :buckets) % n < :buckets) AS first_id,
         min(id) FILTER (WHERE ((idx + 1) * :buckets) % n < :buckets) AS last_id
  FROM pts GROUP BY bucket
),
picked AS (
  SELECT min(p.id) FILTER (WHERE NOT p.is_nan AND p.value = e.vmin) AS min_id,
         min(p.id) FILTER (WHERE NOT p.is_nan AND p.value = e.vmax) AS max_id
  FROM pts p JOIN ext e ON e.bucket = p.bucket
  GROUP BY p.bucket
),
kept AS (
  SELECT first_id AS id FROM ext
  UNION SELECT last_id FROM ext
  UNION SELECT min_id FROM picked
  UNION SELECT max_id FROM picked
)
SELECT m.step, m."timestamp", m.value, m.is_nan, (SELECT n FROM pts LIMIT 1) AS n
FROM kept k JOIN metrics m ON m.id = k.id
ORDER BY m.step, m."timestamp", m.id
"""
)


# PostgreSQL variant: the extreme points come out of the same hash aggregate as (value, id)
# arrays, whose ordering breaks value ties by the smaller id (max uses -id for that). There is
# no join of the series with its buckets for the planner to misjudge: a series logged after the
# last ANALYZE is estimated at a handful of rows, and a nested loop over 10^5 rows then costs
# most of a second.
_DOWNSAMPLE_POSTGRES = (
    _NUMBERED
    + """
ext AS (
  SELECT min(id) FILTER (WHERE (idx * :buckets) % n < :buckets) AS first_id,
         min(id) FILTER (WHERE ((idx + 1) * :buckets) % n < :buckets) AS last_id,
         min(ARRAY[value, id::float8]) FILTER (WHERE NOT is_nan) AS lowest,
         max(ARRAY[value, -id::float8]) FILTER (WHERE NOT is_nan) AS highest,
         max(n) AS n
  FROM numbered GROUP BY idx * :buckets / n
),
kept AS (
  SELECT first_id AS id FROM ext
  UNION SELECT last_id FROM ext
  UNION SELECT lowest[2]::bigint FROM ext WHERE lowest IS NOT NULL
  UNION SELECT (-highest[2])::bigint FROM ext WHERE highest IS NOT NULL
)
SELECT m.step, m."timestamp", m.value, m.is_nan, (SELECT max(n) FROM ext) AS n
FROM kept k JOIN metrics m ON m.id = k.id
ORDER BY m.step, m."timestamp", m.id
"""
)


def step_conditions(column_prefix: str, steps: StepRange) -> str:
    """SQL conditions (each starting with AND) for the step range, bound as :start_step and
    :end_step."""
    parts = []
    if steps.start is not None:
        parts.append(f"AND {column_prefix}step >= :start_step")
    if steps.end is not None:
        parts.append(f"AND {column_prefix}step <= :end_step")
    return " ".join(parts)


def step_params(steps: StepRange) -> dict[str, int]:
    bound: dict[str, int] = {}
    if steps.start is not None:
        bound["start_step"] = steps.start
    if steps.end is not None:
        bound["end_step"] = steps.end
    return bound


def bucket_count(max_points: int) -> int:
    """Buckets for a budget of max_points: each keeps up to four points."""
    return max(1, max_points // 4)


def point_from_row(key: str, row: Any) -> Metric:
    return Metric(key, math.nan if row.is_nan else float(row.value), row.timestamp, row.step)


def _tune_postgres(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        for setting in _POSTGRES_SETTINGS:
            conn.exec_driver_sql(setting)


def downsample_series(
    conn: sa.Connection, run_id: str, key: str, sampling: Sampling
) -> MetricSeries:
    """One series within the step range reduced to at most `sampling.max_points` points
    (first, last, min and max per bucket).

    Meant for series longer than max_points; a shorter one also comes back within the budget,
    but not necessarily whole (read those directly)."""
    _tune_postgres(conn)
    template = _DOWNSAMPLE_POSTGRES if conn.dialect.name == "postgresql" else _DOWNSAMPLE
    stmt = sa.text(template.format(step_range=step_conditions("", sampling.steps)))
    rows = conn.execute(
        stmt,
        {
            "run_id": run_id,
            "key": key,
            "buckets": bucket_count(sampling.max_points),
            **step_params(sampling.steps),
        },
    ).all()
    total = int(rows[0].n) if rows else 0
    return MetricSeries(run_id, key, [point_from_row(key, r) for r in rows], total)


def group_points(rows: Iterable[Any]) -> dict[tuple[str, str], list[Metric]]:
    """Rows with run_id, key, step, timestamp, value and is_nan grouped by (run_id, key)."""
    grouped: dict[tuple[str, str], list[Metric]] = {}
    for row in rows:
        grouped.setdefault((row.run_id, row.key), []).append(point_from_row(row.key, row))
    return grouped
