"""trackd: experiment tracking with MLflow's semantics over gRPC.

Two ways in, like MLflow:

* the fluent API: ``trackd.set_experiment("x")``, then
  ``with trackd.start_run(): trackd.log_metric("loss", 0.1)``;
* `TrackingClient`, with explicit experiment and run ids.

Both return the dataclasses of `trackd.entities` and raise the `trackd.exceptions` classes.
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _dist_version

from trackd._async_logging import AsyncLoggingError, PendingWrite
from trackd._run_writes import async_logging_enabled, enable_async_logging
from trackd.artifacts import (
    FileInfo,
    log_artifact,
    log_artifacts,
    log_dict,
    log_figure,
    log_text,
)
from trackd.client import TrackingClient
from trackd.entities import (
    Experiment,
    ExperimentTag,
    LifecycleStage,
    Metric,
    MetricColumns,
    MetricSeries,
    PagedList,
    Param,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)
from trackd.exceptions import (
    AbortedError,
    AlreadyExistsError,
    CancelledError,
    DataLossError,
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    TrackdError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
    UnknownError,
)
from trackd.fluent import (
    ActiveRun,
    active_run,
    create_experiment,
    delete_run,
    delete_tag,
    end_run,
    flush_async_logging,
    get_experiment,
    get_experiment_by_name,
    get_parent_run,
    get_run,
    get_tracking_uri,
    last_active_run,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    search_experiments,
    search_runs,
    set_experiment,
    set_tag,
    set_tags,
    set_tracking_uri,
    start_run,
)

try:
    __version__ = _dist_version("trackd")
except _PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "AbortedError",
    "ActiveRun",
    "AlreadyExistsError",
    "AsyncLoggingError",
    "CancelledError",
    "DataLossError",
    "DeadlineExceededError",
    "Experiment",
    "ExperimentTag",
    "FailedPreconditionError",
    "FileInfo",
    "InternalError",
    "InvalidArgumentError",
    "LifecycleStage",
    "Metric",
    "MetricColumns",
    "MetricSeries",
    "NotFoundError",
    "PagedList",
    "Param",
    "PendingWrite",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "RunTag",
    "TrackdError",
    "TrackingClient",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "UnknownError",
    "ViewType",
    "__version__",
    "active_run",
    "async_logging_enabled",
    "create_experiment",
    "delete_run",
    "delete_tag",
    "enable_async_logging",
    "end_run",
    "flush_async_logging",
    "get_experiment",
    "get_experiment_by_name",
    "get_parent_run",
    "get_run",
    "get_tracking_uri",
    "last_active_run",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_text",
    "search_experiments",
    "search_runs",
    "set_experiment",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "start_run",
]
