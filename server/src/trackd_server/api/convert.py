"""Protobuf messages <-> domain entities. The only module that knows both."""

from __future__ import annotations

from collections.abc import Iterable

from trackd.v1 import common_pb2, experiment_pb2, run_pb2, run_service_pb2

from ..domain.entities import (
    BatchWrite,
    BatchWrites,
    Experiment,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunInfo,
    RunStatus,
    Tag,
    ViewType,
)
from ..service.validation import invalid, key
from ..store.protocol import KeySelection, RunReadMask

# Keys per kind in a read mask; more would make the SQL IN lists unwieldy and never helps.
MAX_READ_MASK_KEYS = 1000

_STAGE_TO_PROTO = {
    LifecycleStage.ACTIVE: common_pb2.LIFECYCLE_STAGE_ACTIVE,
    LifecycleStage.DELETED: common_pb2.LIFECYCLE_STAGE_DELETED,
}
_STATUS_TO_PROTO = {
    RunStatus.RUNNING: run_pb2.RUN_STATUS_RUNNING,
    RunStatus.SCHEDULED: run_pb2.RUN_STATUS_SCHEDULED,
    RunStatus.FINISHED: run_pb2.RUN_STATUS_FINISHED,
    RunStatus.FAILED: run_pb2.RUN_STATUS_FAILED,
    RunStatus.KILLED: run_pb2.RUN_STATUS_KILLED,
}
_STATUS_FROM_PROTO: dict[int, RunStatus] = {v: k for k, v in _STATUS_TO_PROTO.items()}
_VIEW_FROM_PROTO: dict[int, ViewType] = {
    common_pb2.VIEW_TYPE_UNSPECIFIED: ViewType.ACTIVE_ONLY,
    common_pb2.VIEW_TYPE_ACTIVE_ONLY: ViewType.ACTIVE_ONLY,
    common_pb2.VIEW_TYPE_DELETED_ONLY: ViewType.DELETED_ONLY,
    common_pb2.VIEW_TYPE_ALL: ViewType.ALL,
}


def experiment_to_proto(e: Experiment) -> experiment_pb2.Experiment:
    return experiment_pb2.Experiment(
        experiment_id=e.experiment_id,
        name=e.name,
        artifact_location=e.artifact_location,
        lifecycle_stage=_STAGE_TO_PROTO[e.lifecycle_stage],
        creation_time=e.creation_time,
        last_update_time=e.last_update_time,
        tags=[experiment_pb2.ExperimentTag(key=t.key, value=t.value) for t in e.tags],
    )


def run_info_to_proto(info: RunInfo) -> run_pb2.RunInfo:
    message = run_pb2.RunInfo()
    _fill_run_info(message, info)
    return message


def _fill_run_info(message: run_pb2.RunInfo, info: RunInfo) -> None:
    message.run_id = info.run_id
    message.run_name = info.run_name
    message.experiment_id = info.experiment_id
    message.user_id = info.user_id
    message.status = _STATUS_TO_PROTO[info.status]
    message.start_time = info.start_time
    message.artifact_uri = info.artifact_uri
    message.lifecycle_stage = _STAGE_TO_PROTO[info.lifecycle_stage]
    if info.end_time is not None:
        message.end_time = info.end_time


def run_to_proto(run: Run) -> run_pb2.Run:
    message = run_pb2.Run()
    fill_run(message, run)
    return message


def fill_run(message: run_pb2.Run, run: Run) -> None:
    """Writes `run` into an empty message in place, typically one just added to a repeated
    field: building sub-messages and then copying them in costs twice as much."""
    _fill_run_info(message.info, run.info)
    data = message.data
    # The entities are named tuples: unpacking them is cheaper than reading each field.
    add_metric = data.metrics.add
    for name, value, timestamp, step in run.data.metrics:
        add_metric(key=name, value=value, timestamp=timestamp, step=step)
    add_param = data.params.add
    for name, text in run.data.params:
        add_param(key=name, value=text)
    add_tag = data.tags.add
    for name, text in run.data.tags:
        add_tag(key=name, value=text)


def tags_from_proto(tags: Iterable[experiment_pb2.ExperimentTag | run_pb2.RunTag]) -> list[Tag]:
    return [Tag(t.key, t.value) for t in tags]


def params_from_proto(params: Iterable[run_pb2.Param]) -> list[Param]:
    return [Param(p.key, p.value) for p in params]


def metrics_from_proto(metrics: Iterable[run_pb2.Metric]) -> list[Metric]:
    return [Metric(m.key, m.value, m.timestamp, m.step) for m in metrics]


def batch_writes_from_proto(request: run_service_pb2.LogBatchRequest) -> BatchWrites | None:
    """The write ids of a LogBatch (None when the request names none)."""
    if not request.HasField("writes"):
        return None
    return BatchWrites(
        request.writes.writer_id,
        tuple(
            BatchWrite(w.sequence, w.metric_count, w.param_count, w.tag_count)
            for w in request.writes.writes
        ),
    )


def status_from_proto(status: int) -> RunStatus | None:
    """RUN_STATUS_UNSPECIFIED (and unknown numbers) mean "no change"."""
    return _STATUS_FROM_PROTO.get(status)


def view_from_proto(view: int) -> ViewType:
    return _VIEW_FROM_PROTO.get(view, ViewType.ACTIVE_ONLY)


def _selection(everything: bool, keys: Iterable[str], field: str) -> KeySelection:
    if everything:
        return KeySelection(None)
    chosen = frozenset(keys)
    if len(chosen) > MAX_READ_MASK_KEYS:
        error = invalid(field, f"at most {MAX_READ_MASK_KEYS} keys, got {len(chosen)}")
        error.metadata["limit"] = str(MAX_READ_MASK_KEYS)
        raise error
    for k in sorted(chosen):
        key(k, field)
    return KeySelection(chosen)


def read_mask_from_proto(
    request: run_service_pb2.SearchRunsRequest,
) -> RunReadMask | None:
    """The request's read mask; None (everything) when the request has none."""
    if not request.HasField("read_mask"):
        return None
    mask = request.read_mask
    return RunReadMask(
        metrics=_selection(mask.all_metrics, mask.metric_keys, "read_mask.metric_keys"),
        params=_selection(mask.all_params, mask.param_keys, "read_mask.param_keys"),
        tags=_selection(mask.all_tags, mask.tag_keys, "read_mask.tag_keys"),
    )
