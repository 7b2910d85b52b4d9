"""TrackingClient run, param, tag and metric calls against real servers."""

from __future__ import annotations

import getpass
import math
import time

import pytest
import trackd
from trackd import LifecycleStage, Metric, Param, RunStatus, RunTag
from trackd.exceptions import (
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)

MISSING_RUN = "0" * 32


def now_ms() -> int:
    return int(time.time() * 1000)


def test_create_run_reads_back(client: trackd.TrackingClient, experiment_id: str) -> None:
    run = client.create_run(
        experiment_id, start_time=1_700_000_000_000, tags={"k": "v", "n": 1}, run_name="first"
    )

    assert len(run.info.run_id) == 32
    assert run.info.run_name == "first"
    assert run.info.experiment_id == experiment_id
    assert run.info.status == RunStatus.RUNNING
    assert run.info.status == "RUNNING"
    assert run.info.start_time == 1_700_000_000_000
    assert run.info.end_time is None
    assert run.info.lifecycle_stage == LifecycleStage.ACTIVE
    assert run.info.user_id == getpass.getuser()
    assert run.info.artifact_uri
    assert run.data.tags["k"] == "v"
    assert run.data.tags["n"] == "1"
    assert run.data.tags["mlflow.runName"] == "first"
    assert run.data.tags["mlflow.user"] == getpass.getuser()
    assert run.data.metrics == {} and run.data.params == {}

    assert client.get_run(run.info.run_id) == run


def test_create_run_defaults(client: trackd.TrackingClient, experiment_id: str) -> None:
    before = now_ms()
    run = client.create_run(experiment_id)
    assert run.info.run_name
    assert run.data.tags["mlflow.runName"] == run.info.run_name
    assert before <= run.info.start_time <= now_ms()


def test_create_run_user_from_tag(client: trackd.TrackingClient, experiment_id: str) -> None:
    run = client.create_run(experiment_id, tags={"mlflow.user": "alice"})
    assert run.info.user_id == "alice"


def test_nested_run_records_parent(client: trackd.TrackingClient, experiment_id: str) -> None:
    parent = client.create_run(experiment_id)
    child = client.create_run(experiment_id, parent_run_id=parent.info.run_id)

    assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert client.get_parent_run(child.info.run_id) == client.get_run(parent.info.run_id)
    assert client.get_parent_run(parent.info.run_id) is None


def test_create_run_in_missing_experiment(client: trackd.TrackingClient) -> None:
    with pytest.raises(NotFoundError):
        client.create_run("987654321")


def test_update_run_and_set_terminated(client: trackd.TrackingClient, run_id: str) -> None:
    info = client.update_run(run_id, status="SCHEDULED", name="renamed")
    assert info.status == RunStatus.SCHEDULED
    assert info.run_name == "renamed"
    run = client.get_run(run_id)
    assert run.info.run_name == "renamed"
    assert run.data.tags["mlflow.runName"] == "renamed"

    client.update_run(run_id, end_time=1_800_000_000_000)
    run = client.get_run(run_id)
    assert run.info.end_time == 1_800_000_000_000
    assert run.info.status == RunStatus.SCHEDULED  # untouched

    before = now_ms()
    client.set_terminated(run_id)
    info = client.get_run(run_id).info
    assert info.status == RunStatus.FINISHED
    assert info.end_time is not None and before <= info.end_time <= now_ms()

    client.set_terminated(run_id, status=RunStatus.KILLED, end_time=1_900_000_000_000)
    info = client.get_run(run_id).info
    assert (info.status, info.end_time) == (RunStatus.KILLED, 1_900_000_000_000)


def test_log_param(client: trackd.TrackingClient, run_id: str) -> None:
    assert client.log_param(run_id, "lr", 0.01) == 0.01
    client.log_param(run_id, "optimizer", "adam")
    client.log_param(run_id, "lr", "0.01")  # the same value again is accepted
    assert client.get_run(run_id).data.params == {"lr": "0.01", "optimizer": "adam"}


def test_changing_a_param_names_both_values(client: trackd.TrackingClient, run_id: str) -> None:
    client.log_param(run_id, "batch_size", 32)
    with pytest.raises(InvalidArgumentError) as caught:
        client.log_param(run_id, "batch_size", 64)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert "batch_size" in caught.value.message
    assert "32" in caught.value.message and "64" in caught.value.message
    assert client.get_run(run_id).data.params["batch_size"] == "32"


def test_log_metric_history_and_latest(client: trackd.TrackingClient, run_id: str) -> None:
    client.log_metric(run_id, "loss", 0.9, timestamp=1000, step=0)
    client.log_metric(run_id, "loss", 0.5, timestamp=2000, step=2)
    client.log_metric(run_id, "loss", 0.7, timestamp=3000, step=1)
    client.log_metric(run_id, "acc", 0.1)

    history = client.get_metric_history(run_id, "loss")
    assert history == [
        Metric("loss", 0.9, 1000, 0),
        Metric("loss", 0.7, 3000, 1),
        Metric("loss", 0.5, 2000, 2),
    ]
    data = client.get_run(run_id).data
    assert data.metrics == {"loss": 0.5, "acc": 0.1}
    assert data.latest_metrics["loss"] == Metric("loss", 0.5, 2000, 2)
    assert client.get_metric_history(run_id, "never-logged") == []


def test_metric_timestamp_and_step_default(client: trackd.TrackingClient, run_id: str) -> None:
    before = now_ms()
    client.log_metric(run_id, "m", 1)
    (point,) = client.get_metric_history(run_id, "m")
    assert point.step == 0
    assert before <= point.timestamp <= now_ms()
    assert point.value == 1.0 and isinstance(point.value, float)


def test_nan_and_infinities_round_trip(client: trackd.TrackingClient, run_id: str) -> None:
    client.log_metric(run_id, "nan", float("nan"))
    client.log_metric(run_id, "inf", math.inf, step=1)
    client.log_metric(run_id, "ninf", -math.inf, step=2)
    client.log_batch(run_id, metrics=[Metric("batch-nan", math.nan, now_ms(), 0)])

    assert math.isnan(client.get_metric_history(run_id, "nan")[0].value)
    assert math.isnan(client.get_metric_history(run_id, "batch-nan")[0].value)
    assert client.get_metric_history(run_id, "inf")[0].value == math.inf
    assert client.get_metric_history(run_id, "ninf")[0].value == -math.inf
    metrics = client.get_run(run_id).data.metrics
    assert math.isnan(metrics["nan"])
    assert metrics["inf"] == math.inf and metrics["ninf"] == -math.inf


@pytest.mark.parametrize("value", [True, False, "1.0", None])
def test_non_numeric_metric_rejected_before_sending(
    client: trackd.TrackingClient, run_id: str, value: object
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client.log_metric(run_id, "m", value)  # type: ignore[arg-type]
    assert caught.value.reason == "INVALID_METRIC_VALUE"
    with pytest.raises(ValueError):
        client.log_batch(run_id, metrics=[Metric("m", value, 0, 0)])  # type: ignore[arg-type]
    assert client.get_metric_history(run_id, "m") == []


def test_tags_set_overwrite_delete(client: trackd.TrackingClient, run_id: str) -> None:
    client.set_tag(run_id, "phase", "train")
    client.set_tag(run_id, "phase", "eval")
    client.set_tag(run_id, "epochs", 3)
    tags = client.get_run(run_id).data.tags
    assert tags["phase"] == "eval" and tags["epochs"] == "3"

    client.delete_tag(run_id, "phase")
    assert "phase" not in client.get_run(run_id).data.tags
    with pytest.raises(NotFoundError):
        client.delete_tag(run_id, "phase")


def test_run_name_tag_renames_run(client: trackd.TrackingClient, run_id: str) -> None:
    client.set_tag(run_id, "mlflow.runName", "via-tag")
    assert client.get_run(run_id).info.run_name == "via-tag"


def test_delete_and_restore_run(client: trackd.TrackingClient, experiment_id: str) -> None:
    run_id = client.create_run(experiment_id).info.run_id
    client.delete_run(run_id)

    run = client.get_run(run_id)
    assert run.info.lifecycle_stage == LifecycleStage.DELETED
    assert [r.info.run_id for r in client.search_runs(experiment_id)] == []
    deleted = client.search_runs(experiment_id, run_view_type=trackd.ViewType.DELETED_ONLY)
    assert [r.info.run_id for r in deleted] == [run_id]

    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == LifecycleStage.ACTIVE
    client.log_param(run_id, "after", "restore")
    assert client.get_run(run_id).data.params == {"after": "restore"}


def test_writes_to_deleted_run_fail_precondition(
    client: trackd.TrackingClient, run_id: str
) -> None:
    client.delete_run(run_id)
    writes = [
        lambda: client.log_param(run_id, "p", "1"),
        lambda: client.log_metric(run_id, "m", 1.0),
        lambda: client.set_tag(run_id, "t", "1"),
        lambda: client.log_batch(run_id, params=[Param("p", "1")], tags=[RunTag("t", "1")]),
    ]
    for write in writes:
        with pytest.raises(FailedPreconditionError) as caught:
            write()
        assert caught.value.code == "FAILED_PRECONDITION"
    data = client.get_run(run_id).data
    assert data.params == {} and data.metrics == {} and "t" not in data.tags


def test_missing_run_raises_not_found(client: trackd.TrackingClient) -> None:
    for call in (
        lambda: client.get_run(MISSING_RUN),
        lambda: client.log_metric(MISSING_RUN, "m", 1.0),
        lambda: client.log_param(MISSING_RUN, "p", "v"),
        lambda: client.delete_run(MISSING_RUN),
    ):
        with pytest.raises(NotFoundError):
            call()
