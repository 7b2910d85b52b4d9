"""The fluent API (trackd.start_run, trackd.log_metric, ...) against real servers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import trackd
from trackd import RunStatus
from trackd.exceptions import FailedPreconditionError, InvalidArgumentError, NotFoundError
from trackd_server.cli import _parser as server_parser

from .conftest import new_name

REPO_ROOT = Path(__file__).resolve().parents[2]


def _git_head(directory: Path) -> str | None:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def test_tracking_uri(fluent_api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert trackd.get_tracking_uri() == fluent_api
    trackd.fluent._env.set_tracking_uri(None)
    monkeypatch.setenv("TRACKD_TRACKING_URI", "grpc://example.invalid:1")
    assert trackd.get_tracking_uri() == "grpc://example.invalid:1"
    monkeypatch.delenv("TRACKD_TRACKING_URI")
    # With nothing set, the address of a `trackd server` started with no flags.
    defaults = server_parser().parse_args(["server"])
    assert trackd.get_tracking_uri() == f"grpc://{defaults.host}:{defaults.port}"
    trackd.set_tracking_uri(fluent_api)


def test_set_experiment_creates_then_reuses(fluent_api: str, unique_name: str) -> None:
    assert trackd.get_experiment_by_name(unique_name) is None
    created = trackd.set_experiment(unique_name)
    assert created.name == unique_name
    assert trackd.set_experiment(unique_name).experiment_id == created.experiment_id
    assert trackd.set_experiment(experiment_id=created.experiment_id) == created
    assert trackd.get_experiment(created.experiment_id).name == unique_name
    with trackd.start_run() as run:
        assert run.info.experiment_id == created.experiment_id


def test_set_experiment_argument_errors(fluent_api: str) -> None:
    with pytest.raises(ValueError):
        trackd.set_experiment()
    with pytest.raises(ValueError):
        trackd.set_experiment("a", "1")
    with pytest.raises(NotFoundError):
        trackd.set_experiment(experiment_id="987654321")


def test_set_deleted_experiment_fails_clearly(fluent_api: str, unique_name: str) -> None:
    experiment_id = trackd.create_experiment(unique_name)
    trackd.TrackingClient().delete_experiment(experiment_id)
    with pytest.raises(FailedPreconditionError) as caught:
        trackd.set_experiment(unique_name)
    assert unique_name in caught.value.message and "deleted" in caught.value.message
    with pytest.raises(FailedPreconditionError):
        trackd.set_experiment(experiment_id=experiment_id)


def test_run_logs_everything_and_finishes(fluent_api: str, unique_name: str) -> None:
    experiment = trackd.set_experiment(unique_name)
    with trackd.start_run(run_name="fluent", tags={"team": "risk"}, description="notes") as run:
        assert trackd.active_run() is run
        assert trackd.log_param("lr", 0.01) == 0.01
        trackd.log_params({"optimizer": "adam", "epochs": 3})
        trackd.log_metric("loss", 0.5, step=1)
        trackd.log_metric("loss", 0.25, step=2, timestamp=1_700_000_000_000)
        trackd.log_metrics({"acc": 0.9, "f1": 0.8}, step=2)
        trackd.set_tag("phase", "train")
        trackd.set_tags({"a": 1, "b": "2"})
        trackd.delete_tag("a")
    assert trackd.active_run() is None

    stored = trackd.get_run(run.info.run_id)
    assert stored.info.status == RunStatus.FINISHED and stored.info.end_time is not None
    assert stored.info.experiment_id == experiment.experiment_id
    assert stored.info.run_name == "fluent"
    assert stored.data.params == {"lr": "0.01", "optimizer": "adam", "epochs": "3"}
    assert stored.data.metrics == {"loss": 0.25, "acc": 0.9, "f1": 0.8}
    assert stored.data.latest_metrics["acc"].step == 2
    tags = stored.data.tags
    assert tags["team"] == "risk" and tags["phase"] == "train" and tags["b"] == "2"
    assert "a" not in tags
    assert tags["mlflow.runName"] == "fluent"
    assert tags["mlflow.note.content"] == "notes"
    assert tags["mlflow.user"] == stored.info.user_id
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.source.name"] == sys.argv[0]
    commit = _git_head(Path(os.path.abspath(sys.argv[0])).parent)
    assert tags.get("mlflow.source.git.commit") == commit
    assert trackd.last_active_run() == stored


def test_exception_ends_run_failed(fluent_api: str) -> None:
    with pytest.raises(ZeroDivisionError), trackd.start_run() as run:
        _ = 1 / 0
    assert trackd.active_run() is None
    assert trackd.get_run(run.info.run_id).info.status == RunStatus.FAILED


def test_keyboard_interrupt_ends_run_killed(fluent_api: str) -> None:
    with pytest.raises(KeyboardInterrupt), trackd.start_run() as run:
        raise KeyboardInterrupt
    assert trackd.get_run(run.info.run_id).info.status == RunStatus.KILLED


def test_nested_runs(fluent_api: str) -> None:
    with trackd.start_run() as parent:
        with pytest.raises(FailedPreconditionError) as caught:
            trackd.start_run()
        assert parent.info.run_id in caught.value.message
        with trackd.start_run(nested=True) as child:
            assert trackd.active_run() is child
            with trackd.start_run(nested=True) as grandchild:
                pass
        assert trackd.active_run() is parent
    child_run = trackd.get_run(child.info.run_id)
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert child_run.info.experiment_id == parent.info.experiment_id
    assert trackd.get_parent_run(grandchild.info.run_id) == child_run
    for run in (parent, child, grandchild):
        assert trackd.get_run(run.info.run_id).info.status == RunStatus.FINISHED


def test_parent_run_id_must_match_active_run(fluent_api: str) -> None:
    outer = trackd.TrackingClient().create_run("0").info.run_id
    with trackd.start_run(parent_run_id=outer) as child, pytest.raises(InvalidArgumentError):
        trackd.start_run(nested=True, parent_run_id=outer)
    assert trackd.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == outer


def test_resume_from_env(fluent_api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with trackd.start_run() as first:
        trackd.log_param("p", "1")
    monkeypatch.setenv("TRACKD_RUN_ID", first.info.run_id)

    with trackd.start_run() as resumed:
        assert resumed.info.run_id == first.info.run_id
        assert "TRACKD_RUN_ID" not in os.environ  # consumed, like MLFLOW_RUN_ID
        assert trackd.get_run(first.info.run_id).info.status == RunStatus.RUNNING
        assert resumed.data.params == {"p": "1"}
        trackd.log_metric("m", 1.0)
    final = trackd.get_run(first.info.run_id)
    assert final.info.status == RunStatus.FINISHED
    assert final.data.metrics == {"m": 1.0}


def test_resume_by_id_and_deleted_run(fluent_api: str) -> None:
    client = trackd.TrackingClient()
    run_id = client.create_run("0").info.run_id
    client.set_terminated(run_id, "FAILED")
    with trackd.start_run(run_id=run_id, tags={"resumed": "yes"}):
        assert trackd.get_run(run_id).info.status == RunStatus.RUNNING
    assert trackd.get_run(run_id).data.tags["resumed"] == "yes"

    client.delete_run(run_id)
    with pytest.raises(FailedPreconditionError):
        trackd.start_run(run_id=run_id)
    assert trackd.active_run() is None


def test_logging_without_a_run_starts_one(fluent_api: str, unique_name: str) -> None:
    experiment = trackd.set_experiment(unique_name)
    assert trackd.active_run() is None
    trackd.log_metric("auto", 1.0)
    run = trackd.active_run()
    assert run is not None and run.info.experiment_id == experiment.experiment_id
    trackd.end_run(status="KILLED")
    assert trackd.active_run() is None
    assert trackd.get_run(run.info.run_id).info.status == RunStatus.KILLED
    last = trackd.last_active_run()
    assert last is not None and last.info.run_id == run.info.run_id


def test_experiment_from_environment(fluent_api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    name = new_name("env")
    monkeypatch.setenv("TRACKD_EXPERIMENT_NAME", name)
    with trackd.start_run() as run:
        pass
    experiment = trackd.get_experiment_by_name(name)
    assert experiment is not None and run.info.experiment_id == experiment.experiment_id

    monkeypatch.delenv("TRACKD_EXPERIMENT_NAME")
    monkeypatch.setenv("TRACKD_EXPERIMENT_ID", experiment.experiment_id)
    with trackd.start_run() as run:
        assert run.info.experiment_id == experiment.experiment_id


def test_default_experiment_when_nothing_is_set(fluent_api: str) -> None:
    with trackd.start_run() as run:
        assert run.info.experiment_id == "0"


def test_run_stack_is_per_thread(fluent_api: str) -> None:
    seen: dict[str, object] = {}

    def other_thread() -> None:
        seen["active"] = trackd.active_run()
        with trackd.start_run() as own:
            seen["own"] = own.info.run_id

    with trackd.start_run() as main_run:
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert trackd.active_run() is main_run
    assert seen["active"] is None
    assert seen["own"] != main_run.info.run_id
    assert trackd.get_run(str(seen["own"])).info.status == RunStatus.FINISHED


def test_delete_run(fluent_api: str) -> None:
    with trackd.start_run() as run:
        pass
    trackd.delete_run(run.info.run_id)
    assert trackd.get_run(run.info.run_id).info.lifecycle_stage == "deleted"


def test_search_experiments(fluent_api: str) -> None:
    prefix = new_name("fluent-search")
    ids = {trackd.create_experiment(f"{prefix}-{i}") for i in range(3)}
    found = trackd.search_experiments(filter_string=f"name LIKE '{prefix}-%'")
    assert {e.experiment_id for e in found} == ids


EXIT_SCRIPT = """
import os, sys
import trackd
trackd.set_tracking_uri(sys.argv[1])
run = trackd.start_run()
print(run.info.run_id, flush=True)
pid = os.fork()
if pid == 0:
    trackd.log_metric("from_child", 1.0)
    sys.exit(0)  # runs atexit handlers: the child must not end its parent's run
os.waitpid(pid, 0)
print(trackd.get_run(run.info.run_id).info.status, flush=True)
# the parent exits with the run still active: atexit ends it
"""


def test_atexit_ends_active_run_in_owning_process_only(fluent_api: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, fluent_api],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    run_id, status_after_child_exit = result.stdout.split()
    assert status_after_child_exit == "RUNNING"
    run = trackd.get_run(run_id)
    assert run.info.status == RunStatus.FINISHED
    assert run.data.metrics == {"from_child": 1.0}
    assert run.data.tags["mlflow.source.name"] == "<console>"


def test_search_runs_dataframe_and_list(fluent_api: str, unique_name: str) -> None:
    experiment = trackd.set_experiment(unique_name)
    with trackd.start_run(run_name="a") as a:
        trackd.log_metric("loss", 0.5)
        trackd.log_param("optimizer", "adam")
    with trackd.start_run(run_name="b") as b:
        trackd.log_metric("loss", 0.2)

    frame = trackd.search_runs(order_by=["metrics.loss ASC"])
    assert list(frame["run_id"]) == [b.info.run_id, a.info.run_id]
    assert list(frame.columns[:6]) == [
        "run_id",
        "experiment_id",
        "status",
        "artifact_uri",
        "start_time",
        "end_time",
    ]
    assert list(frame["metrics.loss"]) == [0.2, 0.5]
    assert frame["params.optimizer"].isna().tolist() == [True, False]
    assert list(frame["tags.mlflow.runName"]) == ["b", "a"]
    assert list(frame["status"]) == ["FINISHED", "FINISHED"]
    assert str(frame["start_time"].dt.tz) == "UTC"
    stored = trackd.get_run(a.info.run_id)
    assert frame["start_time"].iloc[1].value // 1_000_000 == stored.info.start_time

    runs = trackd.search_runs(
        experiment_names=[unique_name, new_name("absent")],
        filter_string="params.optimizer = 'adam'",
        output_format="list",
    )
    assert [r.info.run_id for r in runs] == [a.info.run_id]
    by_id = trackd.search_runs([experiment.experiment_id], max_results=1, output_format="list")
    assert len(by_id) == 1
    assert trackd.search_runs(experiment_names=[new_name("absent")], output_format="list") == []
    with pytest.raises(ValueError):
        trackd.search_runs(output_format="json")
