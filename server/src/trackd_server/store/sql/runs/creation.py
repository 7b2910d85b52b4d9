"""Creating a run: its row and its tags, once per request id.

The general path (claim the request id, lock the experiment and read its artifact location,
check the parent, insert the run and its tags) costs five statements between BEGIN and COMMIT.
On PostgreSQL, once the experiment's artifact location is known, CreateRun is one statement,
committed on its own (autocommit: BEGIN and COMMIT cost no round trips of their own). Its
data-modifying CTEs lock the experiment (FOR SHARE, as the general path does, so a concurrent
delete waits), claim the request id, insert the run and its tags, and report whether they did.
The run is built beforehand, so its artifact URI comes from the experiment's artifact location
as last read (ExperimentLocations): the statement writes only if that location is still the
experiment's (an experiment's location never changes, but nothing rests on that), the
experiment is active, the parent run (if any) exists and the request id is new or absent. In
every other case it writes nothing, and the general path answers those cases exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from ....domain.entities import LifecycleStage, Run
from ...protocol import NewRun, Refusal, Refused, Replayed, RequestClaim, Written
from ..guarded_writes import Refuse, claimed_write

if TYPE_CHECKING:
    from ..transactions import Database, SqlTransaction


class ExperimentLocations:
    """The artifact location of each experiment a run was created in, as last read. A location
    never changes once the experiment exists, and the one-statement CreateRun checks it
    anyway; the cache only spares that path a statement."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._known: dict[int, str] = {}

    def get(self, experiment_id: int) -> str | None:
        return self._known.get(experiment_id)

    def remember(self, experiment_id: int, location: str) -> None:
        if len(self._known) >= self.LIMIT:
            self._known.clear()  # rare; the next creation in each experiment reads it again
        self._known[experiment_id] = location


def create_run(
    db: Database, locations: ExperimentLocations, new: NewRun, claim: RequestClaim[Run] | None
) -> Written[Run] | Replayed | Refused:
    """Creates the run of `new` (see TrackingStore.create_run)."""
    location = locations.get(new.experiment_id) if db.dialect == "postgresql" else None
    if location is not None:
        run = new.build(location)
        with db.autocommit() as conn:
            if _create_in_one_statement(conn, run, new.parent_run_id, location, claim):
                return Written(run)

    def work(tx: SqlTransaction) -> Run:
        found = tx.experiments.location_for_share(new.experiment_id)
        if found is None:
            raise Refuse(Refusal.EXPERIMENT_NOT_FOUND)
        stage, location = found
        if stage is not LifecycleStage.ACTIVE:
            raise Refuse(Refusal.EXPERIMENT_DELETED)
        if new.parent_run_id and tx.runs.get_info(new.parent_run_id) is None:
            raise Refuse(Refusal.PARENT_RUN_NOT_FOUND)
        run = new.build(location)
        tx.runs.insert(run.info, run.data.tags)
        if tx.dialect == "postgresql":  # only the one statement needs it
            locations.remember(new.experiment_id, location)
        return run

    return claimed_write(db, claim, work)


# Parameters are typed once, in `arg`, as in metrics/append.py.
_CREATE_RUN = sa.text(
    """
WITH arg AS (
  SELECT CAST(:experiment_id AS bigint) AS experiment_id, CAST(:location AS varchar) AS location,
         CAST(:active AS varchar) AS active, CAST(:parent_run_id AS varchar) AS parent_run_id,
         CAST(:run_id AS varchar) AS run_id, CAST(:name AS varchar) AS name,
         CAST(:user_id AS varchar) AS user_id, CAST(:status AS varchar) AS status,
         CAST(:start_time AS bigint) AS start_time, CAST(:artifact_uri AS varchar) AS artifact_uri,
         CAST(:request_id AS varchar) AS request_id, CAST(:method AS varchar) AS method,
         CAST(:fingerprint AS varchar) AS fingerprint, CAST(:now AS bigint) AS now,
         CAST(:answer AS bytea) AS answer
),
experiment AS (
  SELECT experiments.experiment_id FROM experiments, arg
  WHERE experiments.experiment_id = arg.experiment_id
    AND experiments.lifecycle_stage = arg.active
    AND experiments.artifact_location = arg.location
    AND (arg.parent_run_id = ''
         OR EXISTS (SELECT 1 FROM runs WHERE runs.run_id = arg.parent_run_id))
  FOR SHARE OF experiments
),
claim AS (
  INSERT INTO idempotency_keys (request_id, method, fingerprint, created_at, response)
  SELECT arg.request_id, arg.method, arg.fingerprint, arg.now, arg.answer FROM arg, experiment
  WHERE arg.request_id <> ''
  ON CONFLICT (request_id) DO NOTHING
  RETURNING request_id
),
go AS (
  SELECT experiment.experiment_id FROM experiment, arg
  WHERE arg.request_id = '' OR EXISTS (SELECT 1 FROM claim)
),
run AS (
  INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, end_time,
                    artifact_uri, lifecycle_stage)
  SELECT arg.run_id, go.experiment_id, arg.name, arg.user_id, arg.status, arg.start_time, NULL,
         arg.artifact_uri, arg.active
  FROM arg, go
  RETURNING run_id
),
tags AS (
  INSERT INTO run_tags (run_id, key, value)
  SELECT run.run_id, tag.key, tag.value
  FROM run, unnest(CAST(:tag_keys AS varchar[]), CAST(:tag_values AS varchar[])) AS tag(key, value)
)
SELECT count(*) AS written FROM run
"""
)


def _create_in_one_statement(
    conn: sa.Connection,
    run: Run,
    parent_run_id: str,
    location: str,
    claim: RequestClaim[Run] | None,
) -> bool:
    """Inserts the new `run` (its info and its tags, distinct keys) if its experiment is active
    with the artifact location `location`, the parent run (if any) exists and the claim is new
    (or there is none); returns whether it did. Nothing is written when it returns False."""
    info, tags = run.info, run.data.tags
    row = conn.execute(
        _CREATE_RUN,
        {
            "experiment_id": int(info.experiment_id),
            "location": location,
            "active": LifecycleStage.ACTIVE.value,
            "parent_run_id": parent_run_id,
            "run_id": info.run_id,
            "name": info.run_name,
            "user_id": info.user_id,
            "status": info.status.value,
            "start_time": info.start_time,
            "artifact_uri": info.artifact_uri,
            "request_id": claim.request_id if claim else "",
            "method": claim.method if claim else "",
            "fingerprint": claim.fingerprint if claim else "",
            "now": claim.now if claim else 0,
            "answer": claim.encode(run) if claim else None,
            "tag_keys": [t.key for t in tags],
            "tag_values": [t.value for t in tags],
        },
    ).one()
    return bool(row.written)
