"""CreateRun takes a one-statement path on PostgreSQL once the experiment's artifact location is
known (the first run of an experiment in a server process reads it), and the general path
otherwise; both must give the same answers on both backends."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from trackd_server.domain.entities import Run, Tag
from trackd_server.domain.errors import FailedPrecondition, NotFound
from trackd_server.service.tracking import TrackingServices
from trackd_server.store.sql.store import SqlStore

from tests.support.statements import recorded_statements

TAGS = [Tag("b", "1"), Tag("a", "x"), Tag("b", "2")]  # "b" twice: the last value wins


def create(services: TrackingServices, experiment_id: str, **kw: object) -> Run:
    args: dict[str, object] = {
        "run_name": "r",
        "start_time": 1234,
        "tags": TAGS,
        "parent_run_id": "",
        "user_id": "alice",
        "request_id": uuid.uuid4().hex,
    }
    args.update(kw)
    return services.runs.create(experiment_id, **args)  # type: ignore[arg-type]


def runs_in(store: SqlStore, experiment_id: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT count(*) FROM runs WHERE experiment_id = :e"),
                {"e": int(experiment_id)},
            ).scalar_one()
        )


def test_a_known_experiment_takes_one_statement_on_postgresql(
    services: TrackingServices, store: SqlStore, experiment_id: str
) -> None:
    first = create(services, experiment_id)  # reads the experiment's location
    with recorded_statements(store.engine) as statements:
        parent = create(services, experiment_id)
        child = create(services, experiment_id, parent_run_id=parent.info.run_id)
    if store.dialect == "postgresql":
        assert len(statements) == 2, statements
    else:  # the general path: claim, experiment, parent, run, tags, answer
        assert len(statements) > 2, statements
    for run in (first, parent, child):
        assert services.runs.get(run.info.run_id) == run  # what was answered is what is stored
    tags = {t.key: t.value for t in child.data.tags}
    assert tags == {
        "a": "x",
        "b": "2",
        "mlflow.runName": "r",
        "mlflow.user": "alice",
        "mlflow.parentRunId": parent.info.run_id,
    }
    assert [t.key for t in child.data.tags] == sorted(tags)
    assert child.info.artifact_uri == first.info.artifact_uri.replace(
        first.info.run_id, child.info.run_id
    )


def test_a_retry_gets_the_first_run(
    services: TrackingServices, store: SqlStore, experiment_id: str
) -> None:
    create(services, experiment_id)
    request_id = uuid.uuid4().hex
    first = create(services, experiment_id, request_id=request_id)
    again = create(services, experiment_id, request_id=request_id)  # the reply was lost
    assert again == first
    assert runs_in(store, experiment_id) == 2
    with pytest.raises(FailedPrecondition) as caught:
        create(services, experiment_id, request_id=request_id, run_name="other")
    assert caught.value.reason == "REQUEST_ID_REUSED"
    assert runs_in(store, experiment_id) == 2


def test_a_deleted_experiment_or_a_missing_parent_writes_nothing(
    services: TrackingServices, store: SqlStore, experiment_id: str
) -> None:
    create(services, experiment_id)
    with pytest.raises(NotFound) as missing:
        create(services, experiment_id, parent_run_id="0" * 32)
    assert missing.value.reason == "RUN_NOT_FOUND"
    services.experiments.delete(experiment_id)
    with pytest.raises(FailedPrecondition):
        create(services, experiment_id)
    assert runs_in(store, experiment_id) == 1
    services.experiments.restore(experiment_id)
    create(services, experiment_id)
    assert runs_in(store, experiment_id) == 2


def test_a_location_that_changed_is_read_again(
    services: TrackingServices, store: SqlStore, experiment_id: str
) -> None:
    # No API changes a location; a database edited by hand must still not get stale URIs.
    create(services, experiment_id)
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE experiments SET artifact_location = :l WHERE experiment_id = :e"),
            {"l": "s3://moved/elsewhere", "e": int(experiment_id)},
        )
    for _ in range(2):  # the general path, then the one statement with the new location
        run = create(services, experiment_id)
        assert run.info.artifact_uri == f"s3://moved/elsewhere/{run.info.run_id}/artifacts"
        assert services.runs.get(run.info.run_id) == run
