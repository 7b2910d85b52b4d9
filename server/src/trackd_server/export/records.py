"""One exported run as a flat record, independent of the output format."""

from __future__ import annotations

from dataclasses import dataclass

from trackd.v1 import run_pb2

from .source import SOURCE_NAME_TAG, SOURCE_TYPE_TAG, USER_TAG

_STATUS = {
    run_pb2.RUN_STATUS_RUNNING: "RUNNING",
    run_pb2.RUN_STATUS_SCHEDULED: "SCHEDULED",
    run_pb2.RUN_STATUS_FINISHED: "FINISHED",
    run_pb2.RUN_STATUS_FAILED: "FAILED",
    run_pb2.RUN_STATUS_KILLED: "KILLED",
}


@dataclass(frozen=True)
class RunRecord:
    """What every format writes of a run. Times are milliseconds since the epoch."""

    run_id: str
    run_name: str
    experiment_id: str
    status: str
    user: str
    source_type: str
    source_name: str
    start_time: int
    end_time: int | None
    params: dict[str, str]
    metrics: dict[str, float]

    @classmethod
    def from_proto(cls, run: run_pb2.Run) -> RunRecord:
        tags = {t.key: t.value for t in run.data.tags}
        info = run.info
        return cls(
            run_id=info.run_id,
            run_name=info.run_name,
            experiment_id=info.experiment_id,
            status=_STATUS.get(info.status, "UNKNOWN"),
            user=tags.get(USER_TAG) or info.user_id,
            source_type=tags.get(SOURCE_TYPE_TAG, ""),
            source_name=tags.get(SOURCE_NAME_TAG, ""),
            start_time=info.start_time,
            end_time=info.end_time if info.HasField("end_time") else None,
            params={p.key: p.value for p in run.data.params},
            metrics={m.key: m.value for m in run.data.metrics},
        )
