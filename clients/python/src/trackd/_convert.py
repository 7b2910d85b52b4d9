"""Conversions between the generated protobuf messages and the public dataclasses.

Nothing outside the client package sees a protobuf type; this module is the only place that
knows both sides.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping

from trackd.entities import (
    Experiment,
    ExperimentTag,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)
from trackd.exceptions import InvalidArgumentError
from trackd.v1 import common_pb2, experiment_pb2, run_pb2

_STATUS_TO_PROTO = {
    RunStatus.RUNNING: run_pb2.RUN_STATUS_RUNNING,
    RunStatus.SCHEDULED: run_pb2.RUN_STATUS_SCHEDULED,
    RunStatus.FINISHED: run_pb2.RUN_STATUS_FINISHED,
    RunStatus.FAILED: run_pb2.RUN_STATUS_FAILED,
    RunStatus.KILLED: run_pb2.RUN_STATUS_KILLED,
}
_STATUS_FROM_PROTO = {v: k for k, v in _STATUS_TO_PROTO.items()}

_VIEW_TO_PROTO = {
    ViewType.ACTIVE_ONLY: common_pb2.VIEW_TYPE_ACTIVE_ONLY,
    ViewType.DELETED_ONLY: common_pb2.VIEW_TYPE_DELETED_ONLY,
    ViewType.ALL: common_pb2.VIEW_TYPE_ALL,
}

_STAGE_FROM_PROTO = {
    common_pb2.LIFECYCLE_STAGE_ACTIVE: LifecycleStage.ACTIVE,
    common_pb2.LIFECYCLE_STAGE_DELETED: LifecycleStage.DELETED,
}


def status_to_proto(status: RunStatus | str) -> run_pb2.RunStatus:
    return _STATUS_TO_PROTO[RunStatus.parse(status)]


def status_from_proto(status: int) -> RunStatus:
    # The server never stores UNSPECIFIED; RUNNING is the state a run starts in.
    return _STATUS_FROM_PROTO.get(status, RunStatus.RUNNING)  # type: ignore[call-overload]


def view_type_to_proto(view_type: ViewType | str | int) -> common_pb2.ViewType:
    return _VIEW_TO_PROTO[ViewType.parse(view_type)]


def stage_from_proto(stage: int) -> LifecycleStage:
    return _STAGE_FROM_PROTO.get(stage, LifecycleStage.ACTIVE)  # type: ignore[call-overload]


def metric_value(key: str, value: object) -> float:
    """Checks a metric value like MLflow does: any real number, never a bool."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(
            f"Got invalid value {value!r} for metric {key!r}: expected a number "
            f"(int or float, NaN and infinities included), got {type(value).__name__}.",
            reason="INVALID_METRIC_VALUE",
            metadata={"key": key},
        )
    return float(value)


def experiment_from_proto(msg: experiment_pb2.Experiment) -> Experiment:
    return Experiment(
        experiment_id=msg.experiment_id,
        name=msg.name,
        artifact_location=msg.artifact_location,
        lifecycle_stage=stage_from_proto(msg.lifecycle_stage),
        creation_time=msg.creation_time,
        last_update_time=msg.last_update_time,
        tags={t.key: t.value for t in msg.tags},
    )


def experiment_tags_to_proto(
    tags: Mapping[str, object] | None,
) -> list[experiment_pb2.ExperimentTag]:
    return [experiment_pb2.ExperimentTag(key=k, value=str(v)) for k, v in (tags or {}).items()]


def metric_from_proto(msg: run_pb2.Metric) -> Metric:
    return Metric(key=msg.key, value=msg.value, timestamp=msg.timestamp, step=msg.step)


def metric_to_proto(metric: Metric) -> run_pb2.Metric:
    return run_pb2.Metric(
        key=metric.key,
        value=metric_value(metric.key, metric.value),
        timestamp=int(metric.timestamp or 0),
        step=int(metric.step or 0),
    )


def param_to_proto(param: Param) -> run_pb2.Param:
    return run_pb2.Param(key=param.key, value=str(param.value))


def tag_to_proto(tag: RunTag | ExperimentTag) -> run_pb2.RunTag:
    return run_pb2.RunTag(key=tag.key, value=str(tag.value))


def run_tags_to_proto(tags: Mapping[str, object] | Iterable[RunTag] | None) -> list[run_pb2.RunTag]:
    if tags is None:
        return []
    if isinstance(tags, Mapping):
        return [run_pb2.RunTag(key=k, value=str(v)) for k, v in tags.items()]
    return [tag_to_proto(t) for t in tags]


def run_info_from_proto(msg: run_pb2.RunInfo) -> RunInfo:
    return RunInfo(
        run_id=msg.run_id,
        run_name=msg.run_name,
        experiment_id=msg.experiment_id,
        user_id=msg.user_id,
        status=status_from_proto(msg.status),
        start_time=msg.start_time,
        end_time=msg.end_time if msg.HasField("end_time") else None,
        artifact_uri=msg.artifact_uri,
        lifecycle_stage=stage_from_proto(msg.lifecycle_stage),
    )


def run_data_from_proto(msg: run_pb2.RunData) -> RunData:
    # One pass, each field read once: a search page converts thousands of these.
    latest: dict[str, Metric] = {}
    values: dict[str, float] = {}
    for m in msg.metrics:
        key, value = m.key, m.value
        latest[key] = Metric(key, value, m.timestamp, m.step)
        values[key] = value
    return RunData(
        metrics=values,
        params={p.key: p.value for p in msg.params},
        tags={t.key: t.value for t in msg.tags},
        latest_metrics=latest,
    )


def run_from_proto(msg: run_pb2.Run) -> Run:
    return Run(info=run_info_from_proto(msg.info), data=run_data_from_proto(msg.data))
