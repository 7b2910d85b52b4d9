"""Bulk loading of the searched runs with PostgreSQL COPY, for sizes the APIs cannot fill in
reasonable time (orchestrator side, trackd's interpreter, psycopg 3).

The rows are exactly those the target's API writes for the same run: the first runs are
loaded through the API (`workload.py populate`), and every one of them is regenerated here
from the data set and compared cell by cell with what the API stored (run ids aside) before
anything is copied. Values that depend on the environment (user name, artifact location,
MLflow's source columns) are taken from those API-written runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import psycopg
from dataset import SEARCH_EXPERIMENT, RunSpec, run_spec
from psycopg.rows import dict_row

Row = tuple[Any, ...]
CHUNK_RUNS = 20_000


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    run_column: str


@dataclass(frozen=True)
class Layout:
    """Where a target keeps a run's data, and the rows its API writes for one run."""

    target: str
    runs: Table
    children: tuple[Table, ...]
    experiment_sql: str  # experiment id by name
    run_sql: str  # the reference run: every runs column, by experiment and run name
    build: Callable[[RunSpec, str, dict[str, Any], Any], dict[str, list[Row]]]

    def tables(self) -> tuple[Table, ...]:
        return (self.runs, *self.children)


def _metric_rows(spec: RunSpec) -> list[tuple[str, float, int]]:
    return [(k, v, spec.start_time) for k, v in spec.metrics.items()]


def _trackd_rows(
    spec: RunSpec, run_id: str, ref: dict[str, Any], experiment_id: Any
) -> dict[str, list[Row]]:
    # trackd: CreateRun stores the client's OS user and the tags mlflow.runName and mlflow.user;
    # LogBatch adds params, tags, metric points and the latest value per key.
    artifact_uri = ref["artifact_uri"].replace(ref["run_id"], run_id)
    tags = {**spec.tags, "mlflow.runName": spec.name, "mlflow.user": ref["user_id"]}
    return {
        "runs": [
            (
                run_id,
                experiment_id,
                spec.name,
                ref["user_id"],
                "RUNNING",
                spec.start_time,
                None,
                artifact_uri,
                "active",
            )
        ],
        "run_tags": [(run_id, k, v) for k, v in tags.items()],
        "params": [(run_id, k, v) for k, v in spec.params.items()],
        "metrics": [(run_id, k, v, False, 0, ts) for k, v, ts in _metric_rows(spec)],
        "latest_metrics": [
            (run_id, k, v, False, 0, ts, experiment_id) for k, v, ts in _metric_rows(spec)
        ],
    }


def _mlflow_rows(
    spec: RunSpec, run_id: str, ref: dict[str, Any], experiment_id: Any
) -> dict[str, list[Row]]:
    # MLflow: MlflowClient.create_run stores source/user columns with MLflow's defaults and the
    # tag mlflow.runName; log_batch adds params, tags, metrics and latest_metrics.
    artifact_uri = ref["artifact_uri"].replace(ref["run_uuid"], run_id)
    tags = {**spec.tags, "mlflow.runName": spec.name}
    return {
        "runs": [
            (
                run_id,
                spec.name,
                ref["source_type"],
                ref["source_name"],
                ref["entry_point_name"],
                ref["user_id"],
                "RUNNING",
                spec.start_time,
                None,
                ref["source_version"],
                "active",
                artifact_uri,
                experiment_id,
                None,
            )
        ],
        "tags": [(k, v, run_id) for k, v in tags.items()],
        "params": [(k, v, run_id) for k, v in spec.params.items()],
        "metrics": [(k, v, ts, run_id, 0, False) for k, v, ts in _metric_rows(spec)],
        "latest_metrics": [(k, v, ts, 0, False, run_id) for k, v, ts in _metric_rows(spec)],
    }


TRACKD = Layout(
    target="trackd",
    runs=Table(
        "runs",
        (
            "run_id",
            "experiment_id",
            "name",
            "user_id",
            "status",
            "start_time",
            "end_time",
            "artifact_uri",
            "lifecycle_stage",
        ),
        "run_id",
    ),
    children=(
        Table("run_tags", ("run_id", "key", "value"), "run_id"),
        Table("params", ("run_id", "key", "value"), "run_id"),
        Table("metrics", ("run_id", "key", "value", "is_nan", "step", "timestamp"), "run_id"),
        Table(
            "latest_metrics",
            ("run_id", "key", "value", "is_nan", "step", "timestamp", "experiment_id"),
            "run_id",
        ),
    ),
    experiment_sql="SELECT experiment_id FROM experiments WHERE name = %s",
    run_sql="SELECT * FROM runs WHERE experiment_id = %s AND name = %s",
    build=_trackd_rows,
)

MLFLOW = Layout(
    target="mlflow",
    runs=Table(
        "runs",
        (
            "run_uuid",
            "name",
            "source_type",
            "source_name",
            "entry_point_name",
            "user_id",
            "status",
            "start_time",
            "end_time",
            "source_version",
            "lifecycle_stage",
            "artifact_uri",
            "experiment_id",
            "deleted_time",
        ),
        "run_uuid",
    ),
    children=(
        Table("tags", ("key", "value", "run_uuid"), "run_uuid"),
        Table("params", ("key", "value", "run_uuid"), "run_uuid"),
        Table("metrics", ("key", "value", "timestamp", "run_uuid", "step", "is_nan"), "run_uuid"),
        Table(
            "latest_metrics",
            ("key", "value", "timestamp", "step", "is_nan", "run_uuid"),
            "run_uuid",
        ),
    ),
    experiment_sql="SELECT experiment_id FROM experiments WHERE name = %s",
    run_sql="SELECT * FROM runs WHERE experiment_id = %s AND name = %s",
    build=_mlflow_rows,
)
LAYOUTS = {"trackd": TRACKD, "mlflow": MLFLOW}


def _reference(
    conn: psycopg.Connection[Any], layout: Layout, experiment_id: Any, index: int
) -> dict[str, Any]:
    cursor = conn.cursor(row_factory=dict_row)
    row = cursor.execute(layout.run_sql, (experiment_id, run_spec(index).name)).fetchone()
    if row is None:
        raise RuntimeError(f"{layout.target}: reference run {index} was not loaded")
    return dict(row)


def verify(conn: psycopg.Connection[Any], layout: Layout, api_runs: int) -> dict[str, Any]:
    """Checks that the rows built for runs 0..api_runs-1 equal what the API stored for them;
    returns the reference values that COPY reuses. Raises if any cell differs."""
    experiment = conn.execute(layout.experiment_sql, (SEARCH_EXPERIMENT,)).fetchone()
    if experiment is None:
        raise RuntimeError(f"{layout.target}: experiment {SEARCH_EXPERIMENT!r} is missing")
    experiment_id = experiment[0]
    ref = _reference(conn, layout, experiment_id, 0)
    id_column = layout.runs.run_column
    for index in range(api_runs):
        spec = run_spec(index)
        stored = _reference(conn, layout, experiment_id, index)
        expected = layout.build(spec, stored[id_column], ref, experiment_id)
        for table in layout.tables():
            rows = conn.execute(
                f"SELECT {', '.join(table.columns)} FROM {table.name} "
                f"WHERE {table.run_column} = %s",
                (stored[id_column],),
            ).fetchall()
            if sorted(map(tuple, rows)) != sorted(expected[table.name]):
                raise RuntimeError(
                    f"{layout.target}: run {index}: {table.name} rows differ from the API's:\n"
                    f"  API:  {sorted(map(tuple, rows))}\n  bulk: {sorted(expected[table.name])}"
                )
    return {"ref": ref, "experiment_id": experiment_id}


def _chunk_rows(
    layout: Layout, indices: Sequence[int], ref: dict[str, Any], experiment_id: Any
) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {t.name: [] for t in layout.tables()}
    for index in indices:
        for name, rows in layout.build(run_spec(index), uuid4().hex, ref, experiment_id).items():
            out[name].extend(rows)
    return out


def _chunks(start: int, stop: int) -> Iterator[range]:
    for low in range(start, stop, CHUNK_RUNS):
        yield range(low, min(low + CHUNK_RUNS, stop))


def copy_runs(db_url: str, target: str, api_runs: int, total_runs: int) -> dict[str, Any]:
    """Verifies runs 0..api_runs-1 (loaded through the API), COPYs runs api_runs..total_runs-1
    into the same tables, then VACUUM ANALYZE. Returns what was done and how long it took."""
    layout = LAYOUTS[target]
    started = time.perf_counter()
    with psycopg.connect(db_url) as conn:
        checked = verify(conn, layout, api_runs)
        for indices in _chunks(api_runs, total_runs):
            rows = _chunk_rows(layout, indices, checked["ref"], checked["experiment_id"])
            with conn.transaction():
                for table in layout.tables():
                    statement = f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN"
                    with conn.cursor().copy(statement) as copy:
                        for row in rows[table.name]:
                            copy.write_row(row)
    copied = time.perf_counter() - started
    vacuum(db_url)
    return {
        "api_runs": api_runs,
        "copied_runs": max(0, total_runs - api_runs),
        "verified_runs": api_runs,
        "copy_seconds": round(copied, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def vacuum(db_url: str) -> None:
    """VACUUM ANALYZE the whole database: fresh statistics and visibility maps for the planner,
    done the same way for both servers however their data was loaded."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
