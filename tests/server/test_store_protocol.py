"""The store protocol answered by the SQL store on both backends: writes guarded by a request
claim say what they did (written, replayed, refused, with nothing written then), a search page
always carries the stages of the searched experiments, and a series whose summaries lag is
answered by the store itself. PostgreSQL takes its one-statement paths where it can; the
answers must not show which path was taken."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from trackd_server.domain.entities import (
    LifecycleStage,
    Metric,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    Tag,
)
from trackd_server.service.idempotency import claim_for
from trackd_server.service.search import run_search_spec
from trackd_server.service.tracking import TrackingServices
from trackd_server.store.protocol import (
    NewRun,
    Refusal,
    Refused,
    Replayed,
    RequestClaim,
    RunSearch,
    Sampling,
    StepRange,
    Written,
)
from trackd_server.store.sql.metrics.summaries import BLOCK_POINTS, MAX_TAIL
from trackd_server.store.sql.store import SqlStore

MISSING_RUN = "0" * 32
MISSING_EXPERIMENT = 10**12


def point_claim(request_id: str, value: float = 1.0) -> RequestClaim[None] | None:
    return claim_for("LogMetric", request_id, ["test", value])


def run_claim(request_id: str) -> RequestClaim[Run] | None:
    return claim_for("CreateRun", request_id, ["test"], Run.to_json)


def new_run(experiment_id: int, parent_run_id: str = "") -> NewRun:
    def build(location: str) -> Run:
        run_id = uuid.uuid4().hex
        info = RunInfo(
            run_id=run_id,
            run_name="r",
            experiment_id=str(experiment_id),
            user_id="u",
            status=RunStatus.RUNNING,
            start_time=1,
            end_time=None,
            artifact_uri=f"{location}/{run_id}/artifacts",
            lifecycle_stage=LifecycleStage.ACTIVE,
        )
        return Run(info=info, data=RunData(tags=(Tag("a", "1"), Tag("b", "2"))))

    return NewRun(experiment_id, parent_run_id, build)


def count(store: SqlStore, sql: str, **params: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(sql), params).scalar_one())


def test_log_metric_says_what_it_did(
    store: SqlStore, services: TrackingServices, run_id: str
) -> None:
    claim = point_claim(uuid.uuid4().hex)
    assert claim is not None
    assert store.log_metric(run_id, Metric("m", 1.0, 10, 0), claim) == Written(None)
    again = store.log_metric(run_id, Metric("m", 1.0, 10, 0), claim)
    assert isinstance(again, Replayed)
    assert (again.prior.method, again.prior.fingerprint) == ("LogMetric", claim.fingerprint)
    assert again.prior.response == b"null"
    assert store.log_metric(run_id, Metric("m", 2.0, 11, 1), None) == Written(None)
    assert store.log_metric(MISSING_RUN, Metric("m", 1.0, 10, 0), None) == Refused(
        Refusal.RUN_NOT_FOUND
    )
    services.runs.delete(run_id)
    refused_claim = point_claim(uuid.uuid4().hex, 3.0)
    assert store.log_metric(run_id, Metric("m", 3.0, 12, 2), refused_claim) == Refused(
        Refusal.RUN_DELETED
    )
    services.runs.restore(run_id)
    # The refusal kept neither the point nor the claim: the same request now writes.
    assert store.log_metric(run_id, Metric("m", 3.0, 12, 2), refused_claim) == Written(None)
    values = [p.value for p in services.metrics.history(run_id, "m", 0, "").items]
    assert values == [1.0, 2.0, 3.0]


def test_create_run_says_what_it_did(
    store: SqlStore, services: TrackingServices, experiment_id: str
) -> None:
    experiment = int(experiment_id)
    first = store.create_run(new_run(experiment), None)  # reads the location (general path)
    assert isinstance(first, Written)
    claim = run_claim(uuid.uuid4().hex)
    created = store.create_run(new_run(experiment), claim)  # known location (PostgreSQL: fast)
    assert isinstance(created, Written)
    assert services.runs.get(created.value.info.run_id) == created.value
    again = store.create_run(new_run(experiment), claim)
    assert isinstance(again, Replayed)
    assert again.prior.response is not None
    assert Run.from_json(json.loads(again.prior.response)) == created.value

    parent_claim = run_claim(uuid.uuid4().hex)
    assert store.create_run(new_run(experiment, MISSING_RUN), parent_claim) == Refused(
        Refusal.PARENT_RUN_NOT_FOUND
    )
    assert store.create_run(new_run(MISSING_EXPERIMENT), None) == Refused(
        Refusal.EXPERIMENT_NOT_FOUND
    )
    services.experiments.delete(experiment_id)
    assert store.create_run(new_run(experiment), run_claim(uuid.uuid4().hex)) == Refused(
        Refusal.EXPERIMENT_DELETED
    )
    services.experiments.restore(experiment_id)
    runs = "SELECT count(*) FROM runs WHERE experiment_id = :e"
    assert count(store, runs, e=experiment) == 2
    # The refused request kept no claim: with a parent that exists it creates its run.
    child = store.create_run(new_run(experiment, first.value.info.run_id), parent_claim)
    assert isinstance(child, Written)
    assert count(store, runs, e=experiment) == 3


def test_a_search_page_always_carries_the_stages(
    store: SqlStore, services: TrackingServices, experiment_id: str, unique_name: str
) -> None:
    experiment = int(experiment_id)
    deleted = services.experiments.create(f"{unique_name}-deleted", "", []).experiment_id
    services.experiments.delete(deleted)
    searched = [experiment, int(deleted), MISSING_EXPERIMENT]
    expected = {experiment: LifecycleStage.ACTIVE, int(deleted): LifecycleStage.DELETED}
    active = [LifecycleStage.ACTIVE]
    with store.transaction(write=False) as tx:
        # No run at all: the stages come by a statement of their own.
        empty = tx.search_runs(RunSearch(searched, active, run_search_spec("", [])), 10, None)
        assert (empty.runs, empty.experiment_stages) == ([], expected)
    run = services.runs.create(experiment_id, "", None, [], "", "u").info.run_id
    with store.transaction(write=False) as tx:
        page = tx.search_runs(RunSearch(searched, active, run_search_spec("", [])), 10, None)
        # Ordered by a metric no run has: every run comes from the page's second statement.
        by_value = tx.search_runs(
            RunSearch(searched, active, run_search_spec("", ["metrics.x"])), 10, None
        )
    for found in (page, by_value):
        assert [r.info.run_id for r in found.runs] == [run]
        assert found.experiment_stages == expected


def log_points(services: TrackingServices, run_id: str, key: str, count: int) -> None:
    points = [Metric(key, float((i * 37) % 101), 1_000 + i, i) for i in range(count)]
    for start in range(0, count, 1000):
        services.runs.log_batch(run_id, points[start : start + 1000], (), ())


def test_the_store_answers_a_series_whose_summaries_lag(
    store: SqlStore, services: TrackingServices, run_id: str
) -> None:
    total = MAX_TAIL + 1 + 10 * BLOCK_POINTS  # a tail too long to read raw
    log_points(services, run_id, "loss", total)
    blocks = "SELECT count(*) FROM metric_blocks WHERE run_id = :r"
    assert count(store, blocks, r=run_id) == 0
    series = store.series(run_id, "loss", Sampling(40))
    assert series is not None
    assert series.total == total and 0 < len(series.points) <= 40
    assert count(store, blocks, r=run_id) == total // BLOCK_POINTS  # sealed by the store
    assert store.series(run_id, "loss", Sampling(40)) == series  # now from the summaries
    empty = store.series(run_id, "unlogged", Sampling(40))
    assert empty is not None and (empty.total, empty.points) == (0, [])
    assert store.series(MISSING_RUN, "loss", Sampling(40)) is None


def test_a_series_batch_is_answered_whole_or_not_at_all(
    store: SqlStore, services: TrackingServices, experiment_id: str
) -> None:
    lagging, short = (
        services.runs.create(experiment_id, "", None, [], "", "u").info.run_id for _ in range(2)
    )
    total = MAX_TAIL + 1 + 4 * BLOCK_POINTS
    log_points(services, lagging, "loss", total)
    log_points(services, short, "loss", 10)
    log_points(services, short, "acc", 5)
    keys = ["acc", "loss", "unlogged"]
    batch = store.series_batch([short, lagging], keys, Sampling(40), 10**6)
    assert batch.missing_run is None and batch.scanned == total
    assert [(s.run_id, s.key, s.total) for s in batch.series] == [
        (short, "acc", 5),
        (short, "loss", 10),
        (lagging, "loss", total),
    ]
    assert 0 < len(batch.series[2].points) <= 40
    assert store.series(lagging, "loss", Sampling(40)) == batch.series[2]

    missing = store.series_batch([short, MISSING_RUN], keys, Sampling(40), 10**6)
    assert (missing.missing_run, missing.series) == (MISSING_RUN, [])
    over = store.series_batch([short, lagging], keys, Sampling(40), total - 1)
    assert (over.scanned, over.series) == (total, [])
    ranged = store.series_batch([short], ["loss"], Sampling(40, StepRange(2, 4)), 0)
    assert [p.step for p in ranged.series[0].points] == [2, 3, 4]
