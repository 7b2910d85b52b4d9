"""The Python package's public surface, pinned: a name added to or dropped from `trackd` (or
`trackd.export`) must change this test, and the changelog with it."""

from __future__ import annotations

import types

import trackd
import trackd.export

EXPORTS = [
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


def test_the_package_exports_exactly_these_names() -> None:
    assert sorted(trackd.__all__) == EXPORTS
    assert len(set(trackd.__all__)) == len(trackd.__all__)


def test_every_export_resolves_and_star_import_gives_exactly_them() -> None:
    for name in EXPORTS:
        assert getattr(trackd, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from trackd import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == EXPORTS


def test_nothing_else_public_leaks_from_the_package() -> None:
    # Modules are reached as `trackd.client`, `trackd.v1`...; any other public attribute is an
    # import that leaked (as `PackageNotFoundError` once did).
    leaked = {
        name
        for name, value in vars(trackd).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in EXPORTS
    }
    assert leaked == set()


def test_the_export_module_exports() -> None:
    assert sorted(trackd.export.__all__) == ["FORMATS", "export_runs"]
    assert trackd.export.FORMATS == ("csv", "parquet", "jsonl")
