"""Run, param, tag and metric rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pytest
from trackd_server.domain.entities import (
    LifecycleStage,
    Metric,
    Param,
    RunStatus,
    Tag,
    ViewType,
)
from trackd_server.domain.errors import FailedPrecondition, InvalidArgument, NotFound
from trackd_server.service.tracking import TrackingServices
from trackd_server.store.sql.store import SqlStore

from tests.support.statements import recorded_statements


def test_create_run_system_tags_and_defaults(
    services: TrackingServices, experiment_id: str
) -> None:
    run = services.runs.create(experiment_id, "first", 1234, [Tag("k", "v")], "", "alice")
    info = run.info
    assert (info.run_name, info.user_id, info.start_time, info.end_time) == (
        "first",
        "alice",
        1234,
        None,
    )
    assert info.status is RunStatus.RUNNING and info.lifecycle_stage is LifecycleStage.ACTIVE
    assert len(info.run_id) == 32
    assert info.artifact_uri.endswith(f"/{experiment_id}/{info.run_id}/artifacts")
    tags = {t.key: t.value for t in run.data.tags}
    assert tags == {"k": "v", "mlflow.runName": "first", "mlflow.user": "alice"}


def test_generated_name_and_parent(services: TrackingServices, experiment_id: str) -> None:
    parent = services.runs.create(experiment_id, "", None, [], "", "")
    assert parent.info.run_name.count("-") == 2
    child = services.runs.create(experiment_id, "child", None, [], parent.info.run_id, "")
    assert {t.key: t.value for t in child.data.tags}["mlflow.parentRunId"] == parent.info.run_id
    with pytest.raises(NotFound):
        services.runs.create(experiment_id, "orphan", None, [], "0" * 32, "")


def test_run_name_tag_conflict(services: TrackingServices, experiment_id: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        services.runs.create(experiment_id, "a", None, [Tag("mlflow.runName", "b")], "", "")
    assert "run_name" in caught.value.message
    run = services.runs.create(experiment_id, "", None, [Tag("mlflow.runName", "b")], "", "")
    assert run.info.run_name == "b"


def test_create_in_missing_or_deleted_experiment(
    services: TrackingServices, unique_name: str
) -> None:
    with pytest.raises(NotFound):
        services.runs.create("99999999", "", None, [], "", "")
    exp = services.experiments.create(unique_name, "", [])
    services.experiments.delete(exp.experiment_id)
    with pytest.raises(FailedPrecondition) as caught:
        services.runs.create(exp.experiment_id, "", None, [], "", "")
    assert caught.value.reason == "EXPERIMENT_DELETED"


def test_params_are_write_once(services: TrackingServices, run_id: str) -> None:
    services.runs.log_param(run_id, Param("lr", "0.1"))
    services.runs.log_param(run_id, Param("lr", "0.1"))  # same value: fine
    with pytest.raises(InvalidArgument) as caught:
        services.runs.log_param(run_id, Param("lr", "0.2"))
    assert caught.value.reason == "PARAM_VALUE_CHANGED"
    assert (
        "'lr'" in caught.value.message
        and "'0.1'" in caught.value.message
        and "'0.2'" in caught.value.message
    )
    assert services.runs.get(run_id).data.params == (Param("lr", "0.1"),)


def test_tags_upsert_rename_and_delete(services: TrackingServices, run_id: str) -> None:
    services.runs.set_tag(run_id, Tag("t", "1"))
    services.runs.set_tag(run_id, Tag("t", "2"))
    services.runs.set_tag(run_id, Tag("mlflow.runName", "renamed"))
    run = services.runs.get(run_id)
    assert {t.key: t.value for t in run.data.tags}["t"] == "2"
    assert run.info.run_name == "renamed"
    services.runs.delete_tag(run_id, "t")
    with pytest.raises(NotFound):
        services.runs.delete_tag(run_id, "t")


def test_latest_metric_is_max_step_then_timestamp(services: TrackingServices, run_id: str) -> None:
    services.metrics.log(run_id, Metric("m", 1.0, 100, 5))
    services.metrics.log(run_id, Metric("m", 2.0, 50, 7))  # greater step wins despite older time
    services.metrics.log(run_id, Metric("m", 3.0, 10, 6))  # smaller step: history only
    services.metrics.log(run_id, Metric("m", 4.0, 60, 7))  # same step, later timestamp wins
    services.metrics.log(run_id, Metric("m", 5.0, 60, 7))  # full tie: the one logged last wins
    latest = services.runs.get(run_id).data.metrics
    assert latest == (Metric("m", 5.0, 60, 7),)
    history = services.metrics.history(run_id, "m", 0, "").items
    assert [m.value for m in history] == [1.0, 3.0, 2.0, 4.0, 5.0]


def test_nan_and_infinities_round_trip(services: TrackingServices, run_id: str) -> None:
    for step, value in enumerate([math.nan, math.inf, -math.inf, 1.5e308, -0.0]):
        services.metrics.log(run_id, Metric("odd", value, 1000 + step, step))
    history = services.metrics.history(run_id, "odd", 0, "").items
    assert math.isnan(history[0].value)
    assert [m.value for m in history[1:]] == [math.inf, -math.inf, 1.5e308, -0.0]
    services.runs.log_batch(run_id, [Metric("nan_latest", math.nan, 5, 0)], [], [])
    latest = {m.key: m.value for m in services.runs.get(run_id).data.metrics}
    assert math.isnan(latest["nan_latest"])


def test_zero_timestamp_means_now(services: TrackingServices, run_id: str) -> None:
    services.metrics.log(run_id, Metric("t0", 1.0, 0, 0))
    (point,) = services.metrics.history(run_id, "t0", 0, "").items
    assert point.timestamp > 1_700_000_000_000


def test_batch_is_atomic_on_invalid_item(services: TrackingServices, run_id: str) -> None:
    metrics = [Metric(f"m{i}", float(i), 1, 0) for i in range(10)]
    with pytest.raises(InvalidArgument) as caught:
        services.runs.log_batch(
            run_id, metrics, [Param("ok", "1"), Param("k" * 251, "x")], [Tag("t", "v")]
        )
    assert "params[1].key" in caught.value.message and "250" in caught.value.message
    run = services.runs.get(run_id)
    assert run.data.metrics == () and run.data.params == ()
    assert "t" not in {t.key for t in run.data.tags}


def test_batch_is_atomic_on_param_conflict_in_store(
    services: TrackingServices, run_id: str
) -> None:
    services.runs.log_param(run_id, Param("fixed", "a"))
    with pytest.raises(InvalidArgument) as caught:
        services.runs.log_batch(
            run_id,
            [Metric("m", 1.0, 1, 0)],
            [Param("new", "1"), Param("fixed", "b")],
            [Tag("t", "v")],
        )
    assert caught.value.reason == "PARAM_VALUE_CHANGED"
    run = services.runs.get(run_id)
    assert run.data.params == (Param("fixed", "a"),)
    assert run.data.metrics == ()
    assert services.metrics.history(run_id, "m", 0, "").items == []


def test_batch_limits(services: TrackingServices, run_id: str) -> None:
    services.runs.log_batch(
        run_id,
        [Metric("m", float(i), 1, i) for i in range(1000)],
        [Param(f"p{i}", "v" * 6000) for i in range(100)],
        [Tag(f"t{i}", "v" * 8000) for i in range(100)],
    )
    assert len(services.metrics.history(run_id, "m", 0, "").items) == 1000
    cases = [
        ([Metric("m", 1.0, 1, 0)] * 1001, [], [], "at most 1000 metrics"),
        ([], [Param(f"p{i}", "v") for i in range(101)], [], "at most 100 params"),
        ([], [], [Tag(f"t{i}", "v") for i in range(101)], "at most 100 tags"),
        ([], [Param("x", "v" * 6001)], [], "limit of 6000"),
        ([], [], [Tag("x", "v" * 8001)], "limit of 8000"),
        ([], [Param("d", "1"), Param("d", "2")], [], "appears twice"),
        ([Metric("m", 1.0, -5, 0)], [], [], "timestamp"),
    ]
    for metrics, params, tags, fragment in cases:
        with pytest.raises(InvalidArgument) as caught:
            services.runs.log_batch(run_id, metrics, params, tags)
        assert fragment in caught.value.message


def test_writes_to_deleted_or_missing_run_fail(services: TrackingServices, run_id: str) -> None:
    services.runs.delete(run_id)
    assert services.runs.get(run_id).info.lifecycle_stage is LifecycleStage.DELETED
    writes = [
        lambda: services.metrics.log(run_id, Metric("m", 1.0, 1, 0)),
        lambda: services.runs.log_param(run_id, Param("p", "v")),
        lambda: services.runs.set_tag(run_id, Tag("t", "v")),
        lambda: services.runs.log_batch(run_id, [Metric("m", 1.0, 1, 0)], [], []),
        lambda: services.runs.update(run_id, RunStatus.FINISHED, 5, None),
    ]
    for write in writes:
        with pytest.raises(FailedPrecondition) as caught:
            write()
        assert caught.value.reason == "RUN_DELETED"
    services.runs.restore(run_id)
    services.metrics.log(run_id, Metric("m", 1.0, 1, 0))
    missing = "f" * 32
    with pytest.raises(NotFound):
        services.metrics.log(missing, Metric("m", 1.0, 1, 0))
    with pytest.raises(NotFound):
        services.runs.get(missing)
    with pytest.raises(NotFound):
        services.metrics.history(missing, "m", 0, "")
    with pytest.raises(InvalidArgument):
        services.runs.get("not-a-run-id")


def test_update_run(services: TrackingServices, run_id: str) -> None:
    info = services.runs.update(run_id, RunStatus.FINISHED, 99, "final-name")
    assert (info.status, info.end_time, info.run_name) == (RunStatus.FINISHED, 99, "final-name")
    info = services.runs.update(run_id, None, None, None)  # nothing given: nothing changes
    assert (info.status, info.end_time, info.run_name) == (RunStatus.FINISHED, 99, "final-name")
    tags = {t.key: t.value for t in services.runs.get(run_id).data.tags}
    assert tags["mlflow.runName"] == "final-name"
    resumed = services.runs.update(run_id, RunStatus.RUNNING, None, None)
    assert (resumed.status, resumed.end_time) == (RunStatus.RUNNING, None)


def test_history_pages(services: TrackingServices, run_id: str) -> None:
    services.runs.log_batch(
        run_id, [Metric("h", float(i), 1000 + i, i % 7) for i in range(50)], [], []
    )
    points, token = [], ""
    while True:
        page = services.metrics.history(run_id, "h", 8, token)
        points += page.items
        token = page.next_page_token
        if not token:
            break
    assert len(points) == 50
    assert [(p.step, p.timestamp) for p in points] == sorted((p.step, p.timestamp) for p in points)
    with pytest.raises(InvalidArgument):
        services.metrics.history(run_id, "h", 25001, "")


def test_search_runs_order_pages_and_views(services: TrackingServices, experiment_id: str) -> None:
    ids = [
        services.runs.create(experiment_id, f"r{i}", 1000 + (i % 4), [], "", "").info.run_id
        for i in range(15)
    ]
    services.runs.delete(ids[0])
    seen, token = [], ""
    while True:
        page = services.runs.search([experiment_id], "", ViewType.ACTIVE_ONLY, [], 4, token)
        seen += [r.info for r in page.items]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 14 and ids[0] not in {i.run_id for i in seen}
    keys = [(-i.start_time, i.run_id) for i in seen]
    assert keys == sorted(keys)  # start_time DESC, then run id
    deleted = services.runs.search([experiment_id], "", ViewType.DELETED_ONLY, [], 100, "")
    assert [r.info.run_id for r in deleted.items] == [ids[0]]
    by_name = services.runs.search(
        [experiment_id], "", ViewType.ALL, ["attributes.run_name DESC"], 100, ""
    )
    names = [r.info.run_name for r in by_name.items]
    assert names == sorted(names, reverse=True) and len(names) == 15
    with pytest.raises(InvalidArgument):
        services.runs.search([], "", ViewType.ALL, [], 10, "")
    with pytest.raises(NotFound):
        services.runs.search(["424242424"], "", ViewType.ALL, [], 10, "")


def test_runs_of_deleted_experiment_are_hidden(
    services: TrackingServices, unique_name: str
) -> None:
    exp = services.experiments.create(unique_name, "", []).experiment_id
    services.runs.create(exp, "r", None, [], "", "")
    services.experiments.delete(exp)
    assert services.runs.search([exp], "", ViewType.ACTIVE_ONLY, [], 10, "").items == []
    assert len(services.runs.search([exp], "", ViewType.ALL, [], 10, "").items) == 1


def test_search_checks_its_experiments_in_the_page_statement(
    services: TrackingServices, store: SqlStore, unique_name: str
) -> None:
    active = services.experiments.create(unique_name + "-a", "", []).experiment_id
    deleted = services.experiments.create(unique_name + "-d", "", []).experiment_id
    for i in range(3):
        services.runs.create(active, f"a{i}", 1000 + i, [], "", "")
    for i in range(2):  # newer: the first page of the default order would hold them
        services.runs.create(deleted, f"d{i}", 2000 + i, [], "", "")
    services.experiments.delete(deleted)
    both = [active, deleted]

    def names(view: ViewType, size: int) -> list[str]:
        found, token = [], ""
        while True:
            page = services.runs.search(both, "", view, [], size, token)
            found += [r.info.run_name for r in page.items]
            token = page.next_page_token
            if not token:
                return found

    assert names(ViewType.ACTIVE_ONLY, 2) == ["a2", "a1", "a0"]
    assert names(ViewType.ALL, 2) == ["d1", "d0", "a2", "a1", "a0"]
    with pytest.raises(NotFound, match="424242424"):  # even when the others have runs
        services.runs.search([active, "424242424"], "", ViewType.ALL, [], 10, "")

    with recorded_statements(store.engine) as statements:
        assert len(services.runs.search([active], "", ViewType.ALL, [], 10, "").items) == 3
    # The experiment check rides on the page's statement; SQLite reads the data apart.
    assert len(statements) == (1 if store.dialect == "postgresql" else 2), statements
