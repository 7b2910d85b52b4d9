"""The SQL of run search: one query per page, keyset-paginated.

The spec's filter is compiled by trackd_server.store.sql.filters; its order lists
(sort key, descending) pairs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ...domain.entities import LifecycleStage, RunInfo
from ...domain.search import SearchSpec
from .filters import compile_run_filter
from .keyset import SortKey, after, order_clauses
from .runs import RUNS, run_info_from_row

R = RUNS.c

ATTRIBUTE_COLUMNS: dict[str, tuple[sa.ColumnElement[Any], bool]] = {
    "run_id": (R.run_id, False),
    "run_name": (R.name, False),
    "status": (R.status, False),
    "start_time": (R.start_time, False),
    "end_time": (R.end_time, True),
    "user_id": (R.user_id, False),
    "artifact_uri": (R.artifact_uri, False),
    "experiment_id": (R.experiment_id, False),
    "lifecycle_stage": (R.lifecycle_stage, False),
}


def search_runs(
    conn: sa.Connection,
    experiment_ids: Sequence[int],
    stages: Sequence[LifecycleStage],
    spec: SearchSpec,
    limit: int,
    cursor: Sequence[Any] | None,
) -> tuple[list[RunInfo], list[Any] | None]:
    keys = []
    for name, descending in spec.order:
        column, nullable = ATTRIBUTE_COLUMNS[name]
        keys.append(SortKey(column, descending, nullable))
    keys.append(SortKey(R.run_id))
    stmt = sa.select(RUNS).where(
        R.experiment_id.in_(experiment_ids),
        R.lifecycle_stage.in_([s.value for s in stages]),
    )
    if spec.filter is not None:
        stmt = stmt.where(compile_run_filter(spec.filter))
    if cursor is not None:
        stmt = stmt.where(after(keys, cursor))
    rows = conn.execute(stmt.order_by(*order_clauses(keys)).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]._mapping
        next_cursor = [last[k.expr.key] for k in keys]
    return [run_info_from_row(r) for r in rows], next_cursor
