"""A downsampled series read through metric_blocks (see summaries.py): a read touches one row
per sealed block of 64 points, plus at most two partial blocks at the edges of a step range and
the raw tail after the last sealed block (at most summaries.MAX_TAIL points).

The bucket rule it implements (docs/metrics-history.md): the series is cut into blocks of 64
points by position; the blocks that have points in the step range, clipped to it, are the
`units`. With U units and B = max_points // 4 buckets, U >= B: unit u goes to bucket
floor(u * B / U), so buckets are runs of whole units. (With U < B the caller uses the exact
per-point rule of downsampling.py instead.) Each bucket keeps its first, last, minimum and
maximum point; NaN is never an extreme; ties go to the smallest id (the point logged first).

The rule only depends on the committed points, never on which blocks happen to be sealed: a
raw unit is summarised here exactly as a sealed one, so answers do not change when sealing
catches up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa

from ....domain.entities import Metric
from ...protocol import StepRange
from ..models import MetricRow, table_of
from ..rows import driver_rows
from .summaries import BLOCK_COLUMNS, BLOCK_POINTS, BLOCKS, MAX_TAIL, last_block

M = table_of(MetricRow).c
B = BLOCKS.c

# A unit is a tuple laid out like BLOCK_COLUMNS:
# (block, first_id, first_step, first_timestamp, first_value, last_id, ..., last_value,
#  min_id, min_step, min_timestamp, min_value, max_id, ..., max_value). A value of None is NaN;
# min_* and max_* are None when every point of the unit is NaN.
Unit = Sequence[Any]
_FIRST, _LAST, _MIN, _MAX = 1, 5, 9, 13


@dataclass
class BlockView:
    """The units of a series within a step range and how many points they hold."""

    units: list[Unit] = field(default_factory=list)
    total: int = 0


def _rows(conn: sa.Connection, stmt: sa.Select[Any]) -> list[Any]:
    # The driver's own tuples: cheaper than SQLAlchemy's Row objects for a thousand rows.
    return driver_rows(conn.execute(stmt))


def _raw_points() -> sa.Select[Any]:
    return sa.select(M.id, M.step, M.timestamp, M.value, M.is_nan)


def _in_range(row: Any, steps: StepRange, step_index: int) -> bool:
    step = row[step_index]
    return (steps.start is None or step >= steps.start) and (steps.end is None or step <= steps.end)


def _fully_inside(block: Unit, steps: StepRange) -> bool:
    return (steps.start is None or block[_FIRST + 1] >= steps.start) and (
        steps.end is None or block[_LAST + 1] <= steps.end
    )


def raw_unit(block: int, rows: Sequence[Any]) -> Unit:
    """The summary of a block's points (rows of id, step, timestamp, value, is_nan in series
    order), computed like summaries.seal computes it in SQL."""
    first, last = rows[0], rows[-1]
    low = high = None
    for row in rows:
        if row[4]:
            continue
        if low is None or (row[3], row[0]) < (low[3], low[0]):
            low = row
        if high is None or (-row[3], row[0]) < (-high[3], high[0]):
            high = row
    return (
        block,
        first[0],
        first[1],
        first[2],
        None if first[4] else first[3],
        last[0],
        last[1],
        last[2],
        None if last[4] else last[3],
        *((None,) * 4 if low is None else (low[0], low[1], low[2], low[3])),
        *((None,) * 4 if high is None else (high[0], high[1], high[2], high[3])),
    )


def _series_key() -> Any:
    return sa.tuple_(M.step, M.timestamp, M.id)


def _partial(
    conn: sa.Connection, run_id: str, key: str, block: Unit, steps: StepRange
) -> list[Any]:
    """The points of a sealed block that lie within the step range, read raw."""
    first = (block[_FIRST + 1], block[_FIRST + 2], block[_FIRST])
    last = (block[_LAST + 1], block[_LAST + 2], block[_LAST])
    stmt = _raw_points().where(
        M.run_id == run_id, M.key == key, _series_key() >= first, _series_key() <= last
    )
    if steps.start is not None:
        stmt = stmt.where(M.step >= steps.start)
    if steps.end is not None:
        stmt = stmt.where(M.step <= steps.end)
    return _rows(conn, stmt.order_by(M.step, M.timestamp, M.id))


class SealedEnd(NamedTuple):
    """Where the sealed blocks of a series end (the raw tail starts after this point)."""

    block: int
    last_step: int
    last_timestamp: int
    last_id: int


def block_view(conn: sa.Connection, run_id: str, key: str, steps: StepRange) -> BlockView | None:
    """The units of the series within the step range; None when the unsealed tail holds more
    than MAX_TAIL points (seal the series, then ask again)."""
    view = BlockView()
    blocks: sa.Select[Any] = sa.select(*BLOCK_COLUMNS).where(B.run_id == run_id, B.key == key)
    last: SealedEnd | None
    if steps.start is None and steps.end is None:
        # Every sealed block, whole; the last of them is where the raw tail starts, so the
        # read needs no statement of its own to find it.
        rows = _rows(conn, blocks.order_by(B.block))
        view.units.extend(rows)
        view.total += BLOCK_POINTS * len(rows)
        end = rows[-1] if rows else None
        last = (
            None if end is None else SealedEnd(end[0], end[_LAST + 1], end[_LAST + 2], end[_LAST])
        )
    else:
        found = last_block(conn, run_id, key)
        last = None if found is None else SealedEnd(*found)
        if last is not None:
            if steps.start is not None:
                blocks = blocks.where(B.last_step >= steps.start)
            if steps.end is not None:
                blocks = blocks.where(B.first_step <= steps.end)
            rows = _rows(conn, blocks.order_by(B.block))
            _add_blocks_in_range(conn, run_id, key, rows, steps, view)
            if steps.end is not None and last.last_step > steps.end:
                return view  # every unsealed point lies after the range
    stmt = _raw_points().where(M.run_id == run_id, M.key == key)
    if last is not None:
        stmt = stmt.where(_series_key() > (last.last_step, last.last_timestamp, last.last_id))
    tail = _rows(conn, stmt.order_by(M.step, M.timestamp, M.id).limit(MAX_TAIL + 1))
    if len(tail) > MAX_TAIL:
        return None
    first_block = 0 if last is None else last.block + 1
    for start in range(0, len(tail), BLOCK_POINTS):
        inside = [r for r in tail[start : start + BLOCK_POINTS] if _in_range(r, steps, 1)]
        if inside:
            view.units.append(raw_unit(first_block + start // BLOCK_POINTS, inside))
            view.total += len(inside)
    return view


def _add_blocks_in_range(
    conn: sa.Connection,
    run_id: str,
    key: str,
    blocks: Sequence[Unit],
    steps: StepRange,
    view: BlockView,
) -> None:
    """The sealed blocks that overlap the step range: whole, or clipped to it from raw points."""
    for block in blocks:
        if _fully_inside(block, steps):
            view.units.append(block)
            view.total += BLOCK_POINTS
            continue
        points = _partial(conn, run_id, key, block, steps)
        if points:
            view.units.append(raw_unit(block[0], points))
            view.total += len(points)


def merge_units(key: str, units: Sequence[Unit], buckets: int) -> list[Metric]:
    """The kept points of `buckets` buckets of whole units (needs len(units) >= buckets), in
    series order."""
    count = len(units)
    kept: dict[int, tuple[int, int, int, float | None]] = {}

    def keep(unit: Unit, at: int) -> None:
        kept[unit[at]] = (unit[at + 1], unit[at + 2], unit[at], unit[at + 3])

    start = 0
    for bucket in range(buckets):
        # Units u with floor(u * buckets / count) == bucket.
        end = -(-(bucket + 1) * count // buckets)
        keep(units[start], _FIRST)
        keep(units[end - 1], _LAST)
        # The smallest and the largest value; on a tie, the point logged first. One pass with
        # plain comparisons: this loop runs over every block of a long series on each read.
        low = high = None
        for unit in units[start:end]:
            value = unit[_MIN + 3]
            if value is None:  # every point of the unit is NaN
                continue
            if (
                low is None
                or value < low[_MIN + 3]
                or (value == low[_MIN + 3] and unit[_MIN] < low[_MIN])
            ):
                low = unit
            value = unit[_MAX + 3]
            if (
                high is None
                or value > high[_MAX + 3]
                or (value == high[_MAX + 3] and unit[_MAX] < high[_MAX])
            ):
                high = unit
        start = end
        if low is not None and high is not None:
            keep(low, _MIN)
            keep(high, _MAX)
    nan = math.nan
    return [
        Metric(key, nan if value is None else value, timestamp, step)
        for step, timestamp, _, value in sorted(kept.values(), key=lambda p: p[:3])
    ]
