"""The tracking entities as plain, immutable values.

The store returns these, the service passes them on and the API layer converts them to protobuf
messages. They also serialise to JSON, so that an idempotent request can replay its first answer.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")


class LifecycleStage(enum.Enum):
    ACTIVE = "active"
    DELETED = "deleted"


class RunStatus(enum.Enum):
    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"


class ViewType(enum.Enum):
    ACTIVE_ONLY = "ACTIVE_ONLY"
    DELETED_ONLY = "DELETED_ONLY"
    ALL = "ALL"

    def stages(self) -> tuple[LifecycleStage, ...]:
        if self is ViewType.ACTIVE_ONLY:
            return (LifecycleStage.ACTIVE,)
        if self is ViewType.DELETED_ONLY:
            return (LifecycleStage.DELETED,)
        return (LifecycleStage.ACTIVE, LifecycleStage.DELETED)


# The values a run holds many of are named tuples: a search page builds thousands of them, and
# a tuple is built three times faster than a frozen dataclass (whose __init__ goes through
# object.__setattr__ for every field), with the same immutability.
class Tag(NamedTuple):
    key: str
    value: str


class Param(NamedTuple):
    key: str
    value: str


class Metric(NamedTuple):
    key: str
    value: float
    timestamp: int
    step: int = 0


class BatchWrite(NamedTuple):
    """One client-side write inside a batch: the next `metrics`, `params` and `tags` items."""

    sequence: int
    metrics: int
    params: int
    tags: int


class BatchWrites(NamedTuple):
    """The writes a batch carries, each identified by (writer_id, sequence) for its whole life,
    so that a client may regroup and re-send queued writes without applying one twice."""

    writer_id: str
    writes: tuple[BatchWrite, ...]


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: LifecycleStage
    creation_time: int
    last_update_time: int
    tags: tuple[Tag, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "experiment_id": self.experiment_id,
            "name": self.name,
            "artifact_location": self.artifact_location,
            "lifecycle_stage": self.lifecycle_stage.value,
            "creation_time": self.creation_time,
            "last_update_time": self.last_update_time,
            "tags": [[t.key, t.value] for t in self.tags],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Experiment:
        return cls(
            experiment_id=data["experiment_id"],
            name=data["name"],
            artifact_location=data["artifact_location"],
            lifecycle_stage=LifecycleStage(data["lifecycle_stage"]),
            creation_time=data["creation_time"],
            last_update_time=data["last_update_time"],
            tags=tuple(Tag(k, v) for k, v in data["tags"]),
        )


class RunInfo(NamedTuple):
    run_id: str
    run_name: str
    experiment_id: str
    user_id: str
    status: RunStatus
    start_time: int
    end_time: int | None
    artifact_uri: str
    lifecycle_stage: LifecycleStage

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "run_name": self.run_name,
            "experiment_id": self.experiment_id,
            "user_id": self.user_id,
            "status": self.status.value,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "artifact_uri": self.artifact_uri,
            "lifecycle_stage": self.lifecycle_stage.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunInfo:
        return cls(
            run_id=data["run_id"],
            run_name=data["run_name"],
            experiment_id=data["experiment_id"],
            user_id=data["user_id"],
            status=RunStatus(data["status"]),
            start_time=data["start_time"],
            end_time=data["end_time"],
            artifact_uri=data["artifact_uri"],
            lifecycle_stage=LifecycleStage(data["lifecycle_stage"]),
        )


class RunData(NamedTuple):
    metrics: tuple[Metric, ...] = ()
    params: tuple[Param, ...] = ()
    tags: tuple[Tag, ...] = ()


class Run(NamedTuple):
    info: RunInfo
    data: RunData = RunData()

    def to_json(self) -> dict[str, Any]:
        return {
            "info": self.info.to_json(),
            "metrics": [
                [m.key, _float_to_json(m.value), m.timestamp, m.step] for m in self.data.metrics
            ],
            "params": [[p.key, p.value] for p in self.data.params],
            "tags": [[t.key, t.value] for t in self.data.tags],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        return cls(
            info=RunInfo.from_json(data["info"]),
            data=RunData(
                metrics=tuple(
                    Metric(k, _float_from_json(v), ts, s) for k, v, ts, s in data["metrics"]
                ),
                params=tuple(Param(k, v) for k, v in data["params"]),
                tags=tuple(Tag(k, v) for k, v in data["tags"]),
            ),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing; `next_page_token` is empty on the last page."""

    items: list[T]
    next_page_token: str = ""


def _float_to_json(value: float) -> float | str:
    # Strict JSON has no NaN/Infinity; keep the stored answer portable.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _float_from_json(value: float | str) -> float:
    return float(value)
