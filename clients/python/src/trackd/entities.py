"""The nouns of trackd as plain, immutable Python objects (no protobuf types).

The shapes follow MLflow's entities so code written against `mlflow.entities` reads the same:
`run.info.run_id`, `run.data.params["lr"]`, `run.data.metrics["loss"]` (the latest value),
`experiment.tags["team"]`. Enum members compare equal to MLflow's strings
(`RunStatus.FINISHED == "FINISHED"`, `LifecycleStage.DELETED == "deleted"`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Generic, TypeVar

T = TypeVar("T")


class RunStatus(str, enum.Enum):
    """The execution state of a run (MLflow's `RunStatus` names)."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: RunStatus | str) -> RunStatus:
        """Accepts a member or its name in any case (``"finished"``)."""
        if isinstance(value, RunStatus):
            return value
        try:
            return cls(str(value).upper())
        except ValueError:
            names = ", ".join(m.value for m in cls)
            raise ValueError(f"invalid run status {value!r}; expected one of {names}") from None

    @property
    def is_terminated(self) -> bool:
        """True for FINISHED, FAILED and KILLED."""
        return self in (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)


class LifecycleStage(str, enum.Enum):
    """Whether an experiment or run is active or soft-deleted (MLflow's lowercase strings)."""

    ACTIVE = "active"
    DELETED = "deleted"

    def __str__(self) -> str:
        return self.value


class ViewType(str, enum.Enum):
    """Which lifecycle stages a search returns."""

    ACTIVE_ONLY = "ACTIVE_ONLY"
    DELETED_ONLY = "DELETED_ONLY"
    ALL = "ALL"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: ViewType | str | int) -> ViewType:
        """Accepts a member, its name, or MLflow's integers (1 active, 2 deleted, 3 all)."""
        if isinstance(value, ViewType):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            by_int = {1: cls.ACTIVE_ONLY, 2: cls.DELETED_ONLY, 3: cls.ALL}
            if value in by_int:
                return by_int[value]
        elif isinstance(value, str):
            try:
                return cls(value.upper())
            except ValueError:
                pass
        raise ValueError(f"invalid view type {value!r}; expected ACTIVE_ONLY, DELETED_ONLY or ALL")


@dataclass(frozen=True)
class Metric:
    """One point of a metric's history. `timestamp` is milliseconds since the epoch."""

    key: str
    value: float
    timestamp: int
    step: int = 0


@dataclass(frozen=True)
class MetricSeries:
    """The (possibly downsampled) history of one metric of one run."""

    run_id: str
    key: str
    points: list[Metric]
    total_points: int  # points within the step range before downsampling
    downsampled: bool  # True when points were left out


@dataclass(frozen=True)
class MetricColumns:
    """The (possibly downsampled) history of one metric as three parallel lists: point i was
    logged at step ``steps[i]``, at ``timestamps[i]`` (milliseconds since the epoch), with value
    ``values[i]`` (NaN and infinities included), ordered like `get_metric_history`'s points.

    Much cheaper than a list of `Metric` for long series, and ready for ``numpy.asarray`` or
    ``pandas.DataFrame({"step": c.steps, "value": c.values})``.
    """

    key: str
    steps: list[int]
    timestamps: list[int]
    values: list[float]
    total_points: int  # points within the step range before downsampling
    downsampled: bool  # True when points were left out

    def __len__(self) -> int:
        return len(self.steps)

    def to_metrics(self) -> list[Metric]:
        """The same points as `Metric` objects (what `get_metric_history` returns)."""
        return list(map(Metric, repeat(self.key), self.values, self.timestamps, self.steps))


@dataclass(frozen=True)
class Param:
    """A write-once string input of a run."""

    key: str
    value: str


@dataclass(frozen=True)
class RunTag:
    """A mutable key/value annotation on a run."""

    key: str
    value: str


@dataclass(frozen=True)
class ExperimentTag:
    """A mutable key/value annotation on an experiment."""

    key: str
    value: str


@dataclass(frozen=True)
class Experiment:
    """A named group of runs. Times are milliseconds since the epoch."""

    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: LifecycleStage
    creation_time: int
    last_update_time: int
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunInfo:
    """A run's metadata. `end_time` is None while the run has not ended."""

    run_id: str
    run_name: str
    experiment_id: str
    user_id: str
    status: RunStatus
    start_time: int
    end_time: int | None
    artifact_uri: str
    lifecycle_stage: LifecycleStage


@dataclass(frozen=True)
class RunData:
    """What a run has logged, keyed like MLflow's `RunData`.

    Attributes:
        metrics: latest value of each metric (greatest step, then greatest timestamp).
        params: every param.
        tags: every tag, system tags (`mlflow.*`) included.
        latest_metrics: the full latest point of each metric, when its step or timestamp
            matters; `get_metric_history` has every point.
    """

    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    latest_metrics: dict[str, Metric] = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """One execution of training or evaluation code: `info` plus `data`."""

    info: RunInfo
    data: RunData


class PagedList(list[T], Generic[T]):
    """One page of results: a list plus the `token` of the next page (None on the last page),
    like MLflow's `PagedList`."""

    def __init__(self, items: Iterable[T], token: str | None) -> None:
        super().__init__(items)
        self.token = token


__all__ = [
    "Experiment",
    "ExperimentTag",
    "LifecycleStage",
    "Metric",
    "PagedList",
    "Param",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "RunTag",
    "ViewType",
]
