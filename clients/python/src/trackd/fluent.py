"""The module-level API (`trackd.start_run`, `trackd.log_metric`, ...), mirroring MLflow's fluent
API so that porting a script is a change of import.

State: the tracking URI and the active experiment are process-wide; the stack of active runs is
per thread (like MLflow's), so threads can run their own runs. A process forked while a run is
active may log to it; only the process that started a run ends it at exit.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from trackd import _context, _env
from trackd._async_logging import PendingWrite
from trackd._dataframe import runs_to_dataframe
from trackd.artifacts import (  # noqa: F401 - the fluent artifact API lives there
    log_artifact,
    log_artifacts,
    log_dict,
    log_figure,
    log_text,
)
from trackd.client import TrackingClient
from trackd.entities import (
    Experiment,
    LifecycleStage,
    Metric,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    ViewType,
)
from trackd.exceptions import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    TrackdError,
)

_log = logging.getLogger("trackd")

_local = threading.local()
_state_lock = threading.Lock()
_active_experiment_id: str | None = None
_clients: dict[str, TrackingClient] = {}
# Every run started and not yet ended, in any thread, so that atexit can end them.
_open_runs: dict[str, ActiveRun] = {}


class ActiveRun:
    """A run started by `start_run`; a context manager that ends the run on exit.

    Leaving the block normally ends the run FINISHED, by an exception FAILED, by Ctrl-C
    (KeyboardInterrupt) KILLED. `info` and `data` are as of the start of the run.
    """

    def __init__(self, run: Run, client: TrackingClient) -> None:
        self._run = run
        self._client = client
        self._owner_pid = os.getpid()

    @property
    def info(self) -> RunInfo:
        """The run's metadata as of its start."""
        return self._run.info

    @property
    def data(self) -> RunData:
        """What the run had logged when it started (empty for a new run)."""
        return self._run.data

    def __repr__(self) -> str:
        return f"<ActiveRun: run_id={self.info.run_id}, run_name={self.info.run_name!r}>"

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            status = RunStatus.FINISHED
        elif issubclass(exc_type, KeyboardInterrupt):
            status = RunStatus.KILLED
        elif issubclass(exc_type, SystemExit) and getattr(exc, "code", None) in (None, 0):
            status = RunStatus.FINISHED
        else:
            status = RunStatus.FAILED
        stack = _stack()
        if any(r.info.run_id == self.info.run_id for r in stack):
            # Nested runs left open inside the block end with it, then this run.
            while stack and stack[-1].info.run_id != self.info.run_id:
                end_run(status)
            end_run(status)


def _stack() -> list[ActiveRun]:
    stack: list[ActiveRun] | None = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def _client() -> TrackingClient:
    uri = _env.get_tracking_uri()
    with _state_lock:
        client = _clients.get(uri)
        if client is None:
            client = _clients[uri] = TrackingClient(uri)
        return client


def set_tracking_uri(uri: str) -> None:
    """Sets the server that the fluent API and new `TrackingClient`s talk to, for example
    ``"grpc://tracking.example.com:50051"``. Overrides `TRACKD_TRACKING_URI`."""
    _env.set_tracking_uri(uri)


def get_tracking_uri() -> str:
    """The current tracking URI: `set_tracking_uri`'s, else `TRACKD_TRACKING_URI`, else
    ``grpc://127.0.0.1:50051``."""
    return _env.get_tracking_uri()


# ----------------------------------------------------------------------------------- experiments


def create_experiment(
    name: str, artifact_location: str | None = None, tags: Mapping[str, Any] | None = None
) -> str:
    """Creates an experiment and returns its id."""
    return _client().create_experiment(name, artifact_location, tags)


def get_experiment(experiment_id: str) -> Experiment:
    """Reads an experiment by id. NotFoundError if there is none."""
    return _client().get_experiment(experiment_id)


def get_experiment_by_name(name: str) -> Experiment | None:
    """Reads an experiment by name; None if there is none."""
    return _client().get_experiment_by_name(name)


def search_experiments(
    view_type: ViewType | str | int = ViewType.ACTIVE_ONLY,
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: Sequence[str] | None = None,
) -> list[Experiment]:
    """Every matching experiment (all pages), newest first unless `order_by` says otherwise."""
    return list(_client().search_experiments(view_type, max_results, filter_string, order_by))


def _get_or_create_experiment(client: TrackingClient, name: str) -> Experiment:
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment
    try:
        return client.get_experiment(client.create_experiment(name))
    except AlreadyExistsError:
        # Another process created it between our read and our create.
        created = client.get_experiment_by_name(name)
        if created is None:
            raise
        return created


def _require_active(experiment: Experiment) -> Experiment:
    if experiment.lifecycle_stage == LifecycleStage.DELETED:
        raise FailedPreconditionError(
            f"Cannot set a deleted experiment {experiment.name!r} (id "
            f"{experiment.experiment_id}) as the active experiment. Restore it with "
            f"TrackingClient().restore_experiment({experiment.experiment_id!r}) or use another "
            "name.",
            reason="EXPERIMENT_DELETED",
            metadata={"experiment_id": experiment.experiment_id},
        )
    return experiment


def set_experiment(
    experiment_name: str | None = None, experiment_id: str | None = None
) -> Experiment:
    """Makes an experiment the one new runs go to, creating it (by name) if it does not exist.

    Give exactly one of `experiment_name` and `experiment_id`. A deleted experiment raises
    FailedPreconditionError; an unknown id raises NotFoundError.
    """
    global _active_experiment_id
    if (experiment_name is None) == (experiment_id is None):
        raise ValueError("Must specify exactly one of: `experiment_id` or `experiment_name`.")
    client = _client()
    if experiment_id is not None:
        experiment = client.get_experiment(str(experiment_id))
    else:
        experiment = _get_or_create_experiment(client, str(experiment_name))
    _require_active(experiment)
    with _state_lock:
        _active_experiment_id = experiment.experiment_id
    return experiment


def _experiment_id_for_new_run(client: TrackingClient) -> str:
    with _state_lock:
        if _active_experiment_id is not None:
            return _active_experiment_id
    env_name = os.environ.get(_env.EXPERIMENT_NAME)
    env_id = os.environ.get(_env.EXPERIMENT_ID)
    if env_name:
        experiment = _require_active(_get_or_create_experiment(client, env_name))
        if env_id and env_id != experiment.experiment_id:
            raise InvalidArgumentError(
                f"{_env.EXPERIMENT_NAME}={env_name!r} is experiment "
                f"{experiment.experiment_id}, but {_env.EXPERIMENT_ID}={env_id!r}.",
                reason="EXPERIMENT_ENV_MISMATCH",
            )
        return experiment.experiment_id
    return env_id or "0"


def search_runs(
    experiment_ids: Sequence[str] | None = None,
    filter_string: str = "",
    run_view_type: ViewType | str | int = ViewType.ACTIVE_ONLY,
    max_results: int = 100000,
    order_by: Sequence[str] | None = None,
    output_format: str = "pandas",
    search_all_experiments: bool = False,
    experiment_names: Sequence[str] | None = None,
) -> Any:
    """Runs matching a filter, as a pandas DataFrame laid out like `mlflow.search_runs`'s
    (`output_format="pandas"`, needs pandas) or as a `list[Run]` (`output_format="list"`).

    Without `experiment_ids` or `experiment_names`, searches the current experiment (or every
    experiment with `search_all_experiments=True`). Unknown experiment names are skipped.
    """
    if output_format not in ("pandas", "list"):
        raise ValueError(f"output_format must be 'pandas' or 'list', not {output_format!r}")
    client = _client()
    ids = [str(i) for i in experiment_ids or []]
    for name in experiment_names or []:
        experiment = client.get_experiment_by_name(name)
        if experiment is not None:
            ids.append(experiment.experiment_id)
    if not ids and not experiment_names:
        if search_all_experiments:
            ids = [e.experiment_id for e in client.search_experiments()]
        else:
            ids = [_experiment_id_for_new_run(client)]
    runs: list[Run] = []
    if ids:
        runs = list(client.search_runs(ids, filter_string, run_view_type, max_results, order_by))
    return runs if output_format == "list" else runs_to_dataframe(runs)


# ------------------------------------------------------------------------------------------ runs


def start_run(
    run_id: str | None = None,
    experiment_id: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    parent_run_id: str | None = None,
    tags: Mapping[str, Any] | None = None,
    description: str | None = None,
) -> ActiveRun:
    """Starts a new run, or resumes one, and makes it the active run of this thread.

    Args:
        run_id: resume this run (status set back to RUNNING); default `TRACKD_RUN_ID`, which
            is consumed (unset) when used.
        experiment_id: for a new run; default the `set_experiment` one, else
            `TRACKD_EXPERIMENT_NAME` (created if missing) / `TRACKD_EXPERIMENT_ID`, else "0".
        run_name: default a generated name.
        nested: allow starting while another run is active; the new run is its child.
        parent_run_id: the parent of a nested run (must be the active run if there is one).
        tags: extra tags; they override the system tags (`mlflow.user`, `mlflow.source.*`).
        description: stored as the `mlflow.note.content` tag.

    Use the result as a context manager to end the run when the block ends.
    """
    stack = _stack()
    if stack and not nested:
        raise FailedPreconditionError(
            f"Run with UUID {stack[-1].info.run_id} is already active. To start a new run, "
            "first end the current run with trackd.end_run(). To start a nested run, call "
            "start_run with nested=True.",
            reason="ACTIVE_RUN_EXISTS",
        )
    if parent_run_id and stack and stack[-1].info.run_id != parent_run_id:
        raise InvalidArgumentError(
            f"Current run with UUID {stack[-1].info.run_id} does not match the specified "
            f"parent_run_id {parent_run_id}.",
            reason="PARENT_RUN_MISMATCH",
        )
    client = _client()
    env_run_id = os.environ.get(_env.RUN_ID)
    resume_id = run_id or env_run_id
    if resume_id:
        run = _resume_run(client, resume_id, experiment_id, run_name, tags, description)
        if not run_id:
            os.environ.pop(_env.RUN_ID, None)
    else:
        parent = parent_run_id or (stack[-1].info.run_id if stack else None)
        resolved = _context.system_tags()
        if run_name:
            resolved[_context.RUN_NAME] = run_name
        if description:
            resolved[_context.NOTE_CONTENT] = description
        resolved.update({str(k): str(v) for k, v in (tags or {}).items()})
        run = client.create_run(
            experiment_id or _experiment_id_for_new_run(client),
            tags=resolved,
            run_name=run_name,
            parent_run_id=parent,
        )
    active = ActiveRun(run, client)
    stack.append(active)
    with _state_lock:
        _open_runs[run.info.run_id] = active
    return active


def _resume_run(
    client: TrackingClient,
    run_id: str,
    experiment_id: str | None,
    run_name: str | None,
    tags: Mapping[str, Any] | None,
    description: str | None,
) -> Run:
    run = client.get_run(run_id)
    if experiment_id is not None and str(experiment_id) != run.info.experiment_id:
        raise InvalidArgumentError(
            f"Cannot resume run {run_id}: it belongs to experiment {run.info.experiment_id}, "
            f"not {experiment_id}.",
            reason="RUN_EXPERIMENT_MISMATCH",
        )
    if run.info.lifecycle_stage == LifecycleStage.DELETED:
        raise FailedPreconditionError(
            f"Cannot start run with ID {run_id} because it is in the deleted state.",
            reason="RUN_DELETED",
        )
    extra = {str(k): str(v) for k, v in (tags or {}).items()}
    if description:
        extra[_context.NOTE_CONTENT] = description
    if extra:
        client.log_batch(run_id, tags=extra)
    client.update_run(run_id, status=RunStatus.RUNNING, name=run_name)
    return client.get_run(run_id)


def active_run() -> ActiveRun | None:
    """The active run of this thread, or None."""
    stack = _stack()
    return stack[-1] if stack else None


def last_active_run() -> Run | None:
    """The active run, else the run this thread ended last, read fresh from the server."""
    stack = _stack()
    if stack:
        return stack[-1]._client.get_run(stack[-1].info.run_id)
    run_id: str | None = getattr(_local, "last_active_run_id", None)
    return _client().get_run(run_id) if run_id else None


def end_run(status: RunStatus | str = "FINISHED") -> None:
    """Ends the active run of this thread (if any) with `status` and the current time.

    Writes queued with synchronous=False are sent first. If some of them failed, the run ends
    as FAILED (it is missing data) and `AsyncLoggingError` says which writes failed.
    """
    stack = _stack()
    if not stack:
        return
    run = stack[-1]
    final = RunStatus.parse(status)
    try:
        run._client.flush()
    except TrackdError:
        _terminate(run, RunStatus.FAILED if final is RunStatus.FINISHED else final)
        raise
    _terminate(run, final)


def _terminate(run: ActiveRun, status: RunStatus) -> None:
    _local.last_active_run_id = run.info.run_id
    run._client.set_terminated(run.info.run_id, status)
    stack = _stack()
    if stack and stack[-1] is run:
        stack.pop()
    with _state_lock:
        _open_runs.pop(run.info.run_id, None)


def _end_open_runs_at_exit() -> None:
    with _state_lock:
        mine = [r for r in _open_runs.values() if r._owner_pid == os.getpid()]
        _open_runs.clear()
    for run in reversed(mine):
        try:
            run._client.flush(timeout=60)
        except (TrackdError, TimeoutError) as err:
            _log.warning("queued writes to run %s failed at exit: %s", run.info.run_id, err)
        try:
            run._client.set_terminated(run.info.run_id, RunStatus.FINISHED)
        except TrackdError as err:
            _log.warning("could not end run %s at exit: %s", run.info.run_id, err)


atexit.register(_end_open_runs_at_exit)


def _target(run_id: str | None) -> tuple[TrackingClient, str]:
    """The client and run to log to: `run_id` if given, else the active run (started if none)."""
    if run_id:
        return _client(), run_id
    run = active_run() or start_run()
    return run._client, run.info.run_id


def log_param(key: str, value: Any, synchronous: bool | None = None) -> Any:
    """Logs a param to the active run (starting one if needed) and returns `value` (a
    `PendingWrite` with synchronous=False; None follows `enable_async_logging`)."""
    client, run_id = _target(None)
    return client.log_param(run_id, key, value, synchronous=synchronous)


def log_params(
    params: Mapping[str, Any], run_id: str | None = None, synchronous: bool | None = None
) -> PendingWrite | None:
    """Logs several params in as few requests as the server's limits allow."""
    client, target = _target(run_id)
    return client.log_batch(target, params=params, synchronous=synchronous)


def log_metric(
    key: str,
    value: float,
    step: int | None = None,
    timestamp: int | None = None,
    run_id: str | None = None,
    synchronous: bool | None = None,
) -> PendingWrite | None:
    """Appends a metric point to the active run (starting one if needed).

    `step` defaults to 0 and `timestamp` (ms since the epoch) to now. With synchronous=False
    the point is queued and sent in a batch by a background thread (see
    `enable_async_logging`); the call returns a `PendingWrite` at once.
    """
    client, target = _target(run_id)
    return client.log_metric(
        target, key, value, timestamp=timestamp, step=step, synchronous=synchronous
    )


def log_metrics(
    metrics: Mapping[str, float],
    step: int | None = None,
    timestamp: int | None = None,
    run_id: str | None = None,
    synchronous: bool | None = None,
) -> PendingWrite | None:
    """Logs several metrics at one step and one timestamp (default now)."""
    client, target = _target(run_id)
    when = timestamp if timestamp is not None else int(time.time() * 1000)
    points = [Metric(str(k), v, when, step or 0) for k, v in metrics.items()]
    return client.log_batch(target, metrics=points, synchronous=synchronous)


def set_tag(key: str, value: Any, synchronous: bool | None = None) -> PendingWrite | None:
    """Sets a tag on the active run (starting one if needed)."""
    client, run_id = _target(None)
    return client.set_tag(run_id, key, value, synchronous=synchronous)


def set_tags(tags: Mapping[str, Any], synchronous: bool | None = None) -> PendingWrite | None:
    """Sets several tags on the active run (starting one if needed)."""
    client, run_id = _target(None)
    return client.log_batch(run_id, tags=tags, synchronous=synchronous)


def flush_async_logging(timeout: float | None = None) -> None:
    """Waits until every write queued with synchronous=False by this process's fluent client
    (and the clients of its active runs) has been sent; raises `AsyncLoggingError` for queued
    writes that failed unobserved. `end_run` does this before it ends a run."""
    clients = {id(run._client): run._client for run in _stack()}
    clients.setdefault(id(_client()), _client())
    for client in clients.values():
        client.flush(timeout)


def delete_tag(key: str) -> None:
    """Removes a tag from the active run (starting one if needed)."""
    client, run_id = _target(None)
    client.delete_tag(run_id, key)


def get_run(run_id: str) -> Run:
    """Reads a run by id."""
    return _client().get_run(run_id)


def get_parent_run(run_id: str) -> Run | None:
    """The parent of a nested run, or None."""
    return _client().get_parent_run(run_id)


def delete_run(run_id: str) -> None:
    """Soft-deletes a run."""
    _client().delete_run(run_id)
