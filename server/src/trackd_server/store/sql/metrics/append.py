"""Appending metric points: a batch (the history and the latest value per key) and LogMetric.

LogMetric on PostgreSQL, the commonest write of a training loop, is one statement. The general
path (claim the request id, lock the run, insert the point, raise the latest value) costs four
statements between BEGIN and COMMIT, each a round trip. The one statement, with data-modifying
CTEs, locks the run (FOR SHARE, as writers that only add do), claims the request id, inserts
the point and raises the latest value, and returns what happened. It writes only in the one
case that is cheap to decide in SQL: the run is active and the request id is new (or absent).
Every other case (missing or deleted run, a retried request id) writes nothing there, and
log_metric takes the general path, which gives those cases their exact answers. SQLite takes
the general path at once.

Either way the latest_metrics upsert returns the series' summary mark, and metric_blocks are
invalidated in the same transaction when a point lands among summarised points (summaries.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ....domain.entities import LifecycleStage, Metric
from ...protocol import Refusal, Refused, Replayed, RequestClaim, Written
from ..dialect import upsert
from ..guarded_writes import Refuse, claimed_write
from ..models import LatestMetricRow, MetricRow, table_of
from . import summaries

if TYPE_CHECKING:
    from ..transactions import Database, SqlTransaction

METRICS = table_of(MetricRow)
LATEST = table_of(LatestMetricRow)


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


def latest_per_key(metrics: Sequence[Metric]) -> dict[str, Metric]:
    """The latest point of each key within one batch: greatest (step, timestamp); on a tie the
    one given last, as if the points had been logged one by one."""
    latest: dict[str, Metric] = {}
    for metric in metrics:
        current = latest.get(metric.key)
        if current is None or (metric.step, metric.timestamp) >= (current.step, current.timestamp):
            latest[metric.key] = metric
    return latest


def append_points(
    conn: sa.Connection, run_id: str, experiment_id: int, metrics: Sequence[Metric]
) -> None:
    """Inserts the points and raises the latest value of each key (the caller holds the run's
    lock)."""
    if not metrics:
        return
    if conn.dialect.name == "postgresql" and len(metrics) > 1:
        conn.execute(_INSERT_FROM_ARRAYS, _point_arrays(run_id, metrics))
    else:
        conn.execute(sa.insert(METRICS), [_point_values(run_id, m) for m in metrics])
    marks = _raise_latest(conn, run_id, experiment_id, latest_per_key(metrics))
    summaries.invalidate_for(conn, run_id, metrics, marks)


def _raise_latest(
    conn: sa.Connection, run_id: str, experiment_id: int, latest: dict[str, Metric]
) -> dict[str, tuple[int | None, int | None]]:
    """Raises the latest point of each key; returns, per key whose row was inserted or
    raised, the summaries' mark of that series (see summaries.py). Keys left out kept a
    later stored point: their batch is out of order."""
    # One upsert per key, in key order, so concurrent writers lock rows in the same order.
    # The WHERE keeps a stored point that is later than the incoming one.
    stmt = upsert(conn, LATEST)
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
    rows = conn.execute(
        stmt,
        [
            {**_point_values(run_id, latest[k]), "experiment_id": experiment_id}
            for k in sorted(latest)
        ],
    )
    return {key: (step, timestamp) for key, step, timestamp in rows}


def log_metric(
    db: Database, run_id: str, point: Metric, claim: RequestClaim[None] | None
) -> Written[None] | Replayed | Refused:
    """Appends one point to an active run, once per request id."""
    if db.dialect == "postgresql":
        with db.transaction(write=True) as tx:
            if _log_point_in_one_statement(tx.conn, run_id, point, claim):
                return Written(None)

    def work(tx: SqlTransaction) -> None:
        info = tx.runs.lock(run_id, exclusive=False)
        if info is None:
            raise Refuse(Refusal.RUN_NOT_FOUND)
        if info.lifecycle_stage is not LifecycleStage.ACTIVE:
            raise Refuse(Refusal.RUN_DELETED)
        append_points(tx.conn, run_id, int(info.experiment_id), [point])

    return claimed_write(db, claim, work, None if claim is None else claim.encode(None))


# The parameters are typed once, in `arg`, and referenced from there: PostgreSQL cannot infer
# one type for a parameter used both as text and as a varchar column value.
_LOG_POINT = sa.text(
    """
WITH arg AS (
  SELECT CAST(:run_id AS varchar) AS run_id, CAST(:request_id AS varchar) AS request_id,
         CAST(:method AS varchar) AS method, CAST(:fingerprint AS varchar) AS fingerprint,
         CAST(:now AS bigint) AS now, CAST(:answer AS bytea) AS answer,
         CAST(:active AS varchar) AS active, CAST(:key AS varchar) AS key,
         CAST(:value AS float8) AS value, CAST(:is_nan AS boolean) AS is_nan,
         CAST(:step AS bigint) AS step, CAST(:timestamp AS bigint) AS ts
),
run AS (
  SELECT runs.experiment_id, runs.lifecycle_stage = arg.active AS active
  FROM runs, arg WHERE runs.run_id = arg.run_id
  FOR SHARE OF runs
),
claim AS (
  INSERT INTO idempotency_keys (request_id, method, fingerprint, created_at, response)
  SELECT arg.request_id, arg.method, arg.fingerprint, arg.now, arg.answer FROM arg, run
  WHERE run.active AND arg.request_id <> ''
  ON CONFLICT (request_id) DO NOTHING
  RETURNING request_id
),
go AS (
  SELECT run.experiment_id FROM run, arg
  WHERE run.active AND (arg.request_id = '' OR EXISTS (SELECT 1 FROM claim))
),
point AS (
  INSERT INTO metrics (run_id, key, value, is_nan, step, "timestamp")
  SELECT arg.run_id, arg.key, arg.value, arg.is_nan, arg.step, arg.ts FROM arg, go
  RETURNING id
),
latest AS (
  INSERT INTO latest_metrics (run_id, key, value, is_nan, step, "timestamp", experiment_id)
  SELECT arg.run_id, arg.key, arg.value, arg.is_nan, arg.step, arg.ts, go.experiment_id
  FROM arg, go
  ON CONFLICT (run_id, key) DO UPDATE
    SET value = excluded.value, is_nan = excluded.is_nan, step = excluded.step,
        "timestamp" = excluded."timestamp"
    WHERE excluded.step > latest_metrics.step
       OR (excluded.step = latest_metrics.step
           AND excluded."timestamp" >= latest_metrics."timestamp")
  RETURNING sealed_step, sealed_timestamp
)
SELECT (SELECT count(*) FROM point) AS written,
       (SELECT count(*) FROM latest) AS raised,
       (SELECT sealed_step FROM latest) AS sealed_step,
       (SELECT sealed_timestamp FROM latest) AS sealed_timestamp
"""
)


def _log_point_in_one_statement(
    conn: sa.Connection, run_id: str, point: Metric, claim: RequestClaim[None] | None
) -> bool:
    """Writes `point` if the run is active and the claim is new (or there is none); returns
    whether it did. Nothing is written when it returns False."""
    nan = math.isnan(point.value)
    row = conn.execute(
        _LOG_POINT,
        {
            "run_id": run_id,
            "request_id": claim.request_id if claim else "",
            "method": claim.method if claim else "",
            "fingerprint": claim.fingerprint if claim else "",
            "now": claim.now if claim else 0,
            "answer": claim.encode(None) if claim else None,
            "active": LifecycleStage.ACTIVE.value,
            "key": point.key,
            "value": 0.0 if nan else point.value,
            "is_nan": nan,
            "step": point.step,
            "timestamp": point.timestamp,
        },
    ).one()
    if not row.written:
        return False
    # No row from the upsert: a later point is stored, so this one is out of order.
    marks = {point.key: (row.sealed_step, row.sealed_timestamp)} if row.raised else {}
    summaries.invalidate_for(conn, run_id, [point], marks)
    return True
