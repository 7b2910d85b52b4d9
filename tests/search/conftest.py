"""Fixtures of the search tests: a real store per backend (SQLite, then PostgreSQL) and
helpers to write runs through the store's repositories and read search pages back."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest
from trackd_server.domain.entities import LifecycleStage, Metric, Param, RunInfo, RunStatus, Tag
from trackd_server.service.search import experiment_search_spec, run_search_spec
from trackd_server.store.protocol import RunSearch
from trackd_server.store.sql.store import SqlStore

from tests.support.stores import upgraded_store


@pytest.fixture(scope="session")
def store(backend_url: str) -> Iterator[SqlStore]:
    """The SQL store on each backend in turn, schema created by the store's own migrations."""
    with upgraded_store(backend_url) as sql_store:
        yield sql_store


@dataclass
class RunSeed:
    """One run to write: its name is what tests compare results by."""

    name: str
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    status: RunStatus = RunStatus.FINISHED
    start_time: int = 0
    end_time: int | None = None
    user_id: str = "user"


def new_experiment(store: SqlStore, prefix: str = "search", tags: Sequence[Tag] = ()) -> int:
    with store.transaction(write=True) as tx:
        return tx.experiments.insert(f"{prefix}-{uuid.uuid4().hex[:12]}", "/tmp/a", tags, now=1)


def write_runs(store: SqlStore, experiment_id: int, seeds: Sequence[RunSeed]) -> dict[str, str]:
    """Writes the runs; returns run name -> run id."""
    ids: dict[str, str] = {}
    with store.transaction(write=True) as tx:
        for seed in seeds:
            run_id = uuid.uuid4().hex
            ids[seed.name] = run_id
            info = RunInfo(
                run_id=run_id,
                run_name=seed.name,
                experiment_id=str(experiment_id),
                user_id=seed.user_id,
                status=seed.status,
                start_time=seed.start_time,
                end_time=seed.end_time,
                artifact_uri=f"/tmp/a/{run_id}",
                lifecycle_stage=LifecycleStage.ACTIVE,
            )
            tx.runs.insert(info, [Tag(k, v) for k, v in seed.tags.items()])
            tx.runs.insert_params(run_id, [Param(k, v) for k, v in seed.params.items()])
            tx.metrics.append(
                run_id,
                experiment_id,
                [Metric(k, v, timestamp=1, step=0) for k, v in seed.metrics.items()],
            )
    return ids


def search_run_names(
    store: SqlStore,
    experiment_id: int,
    filter_text: str = "",
    order_by: Sequence[str] = (),
    page_size: int = 1000,
) -> list[str]:
    """The names of every matching run, in order, read page by page; each cursor goes through
    JSON as it would inside a page token."""
    spec = run_search_spec(filter_text, order_by)
    names: list[str] = []
    cursor = None
    while True:
        with store.transaction(write=False) as tx:
            runs, next_cursor, _ = tx.search_runs(
                RunSearch([experiment_id], [LifecycleStage.ACTIVE], spec), page_size, cursor
            )
        names.extend(run.info.run_name for run in runs)
        if next_cursor is None:
            return names
        cursor = json.loads(json.dumps(next_cursor))


def search_experiment_names(
    store: SqlStore, filter_text: str, order_by: Sequence[str] = (), page_size: int = 1000
) -> list[str]:
    spec = experiment_search_spec(filter_text, order_by)
    names: list[str] = []
    cursor = None
    while True:
        with store.transaction(write=False) as tx:
            page, next_cursor = tx.experiments.search(
                [LifecycleStage.ACTIVE], spec, page_size, cursor
            )
        names.extend(e.name for e in page)
        if next_cursor is None:
            return names
        cursor = json.loads(json.dumps(next_cursor))


NAN = math.nan
