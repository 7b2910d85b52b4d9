"""LogMetric in one statement on PostgreSQL: the commonest write of a training loop.

The general path (service/idempotency.run_once, then the run lock and metrics.append) costs
four statements between BEGIN and COMMIT, each a round trip. Here one statement with
data-modifying CTEs locks the run (FOR SHARE, as writers that only add do), claims the request
id, inserts the point and raises the latest value, and returns what happened. It writes only in
the one case that is cheap to decide in SQL: the run is active and the request id is new (or
absent). Every other case (missing or deleted run, a retried request id) writes nothing here,
and the caller runs the general path, which gives those cases their exact answers.

The latest_metrics upsert returns the series' summary mark, and metric_blocks are invalidated
in the same transaction when the point lands among summarised points (summaries.py), exactly
as metrics.append does.
"""

from __future__ import annotations

import math

import sqlalchemy as sa

from ...domain.entities import LifecycleStage, Metric
from ..protocol import RequestClaim
from . import summaries

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


def log_point_if_new(
    conn: sa.Connection, run_id: str, point: Metric, claim: RequestClaim | None
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
            "answer": claim.answer if claim else None,
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
