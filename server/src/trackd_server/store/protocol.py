"""What the service layer needs from a store. The SQL store is the one implementation; the
protocol keeps the service honest about that boundary (and typed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from ..domain.entities import Experiment, LifecycleStage, Metric, Param, Run, RunInfo, Tag
from ..domain.search import SearchSpec


@dataclass(frozen=True)
class KeySelection:
    """Every key (`keys` None) or only the listed keys (possibly none)."""

    keys: frozenset[str] | None = None


ALL_KEYS = KeySelection()


@dataclass(frozen=True)
class RunReadMask:
    """What a read returns with each run besides its info; the default is everything."""

    metrics: KeySelection = KeySelection()
    params: KeySelection = KeySelection()
    tags: KeySelection = KeySelection()


class RunPage(NamedTuple):
    """One page of a run search as the store reads it."""

    runs: list[Run]
    # The sort values of the page's last run when more runs follow, else None.
    cursor: list[Any] | None
    # The lifecycle stage of each searched experiment that exists, read by the page's own
    # statement (no extra round trip); None when that statement returned no run, in which
    # case the caller reads them itself.
    experiment_stages: dict[int, LifecycleStage] | None


class StoredRequestLike(Protocol):
    @property
    def method(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def response(self) -> bytes | None: ...


class ExperimentRepository(Protocol):
    def insert(
        self,
        name: str,
        artifact_location: str,
        tags: Sequence[Tag],
        now: int,
        experiment_id: int | None = None,
    ) -> int: ...
    def set_artifact_location(self, experiment_id: int, location: str) -> None: ...
    def get(self, experiment_id: int) -> Experiment | None: ...
    def get_by_name(self, name: str) -> Experiment | None: ...
    def lock(self, experiment_id: int) -> LifecycleStage | None: ...
    def stages(self, experiment_ids: Sequence[int]) -> dict[int, LifecycleStage]: ...
    def location_for_share(self, experiment_id: int) -> tuple[LifecycleStage, str] | None: ...
    def name_taken(self, name: str) -> bool: ...
    def update(self, experiment_id: int, now: int, **values: Any) -> None: ...
    def set_tag(self, experiment_id: int, tag: Tag) -> None: ...
    def delete_tag(self, experiment_id: int, key: str) -> bool: ...
    def search(
        self,
        stages: Iterable[LifecycleStage],
        spec: SearchSpec,
        limit: int,
        cursor: Sequence[Any] | None,
    ) -> tuple[list[Experiment], list[Any] | None]: ...


class RunRepository(Protocol):
    def insert(self, info: RunInfo, tags: Sequence[Tag]) -> None: ...
    def lock(self, run_id: str, exclusive: bool) -> RunInfo | None: ...
    def get_info(self, run_id: str) -> RunInfo | None: ...
    def get(self, run_id: str) -> Run | None: ...
    def with_data(self, infos: Sequence[RunInfo], mask: RunReadMask | None = None) -> list[Run]: ...
    def update(self, run_id: str, **values: Any) -> None: ...
    def set_tags(self, run_id: str, tags: Sequence[Tag]) -> None: ...
    def delete_tag(self, run_id: str, key: str) -> bool: ...
    def insert_params(self, run_id: str, params: Sequence[Param]) -> list[tuple[Param, str]]: ...


@dataclass(frozen=True)
class StepRange:
    """Inclusive bounds on the steps of the points read; None is unbounded."""

    start: int | None = None
    end: int | None = None


ALL_STEPS = StepRange()


@dataclass
class MetricSeries:
    """The kept points of one (run, key) series and how many points it has in all (within the
    step range read)."""

    run_id: str
    key: str
    points: list[Metric] = field(default_factory=list)
    total: int = 0

    @property
    def downsampled(self) -> bool:
        return len(self.points) < self.total


@dataclass
class HistoryColumns:
    """Points of one series as parallel lists: point i is (steps[i], timestamps[i], values[i])."""

    steps: list[int] = field(default_factory=list)
    timestamps: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)


class MetricRepository(Protocol):
    def append(self, run_id: str, experiment_id: int, metrics: Sequence[Metric]) -> None: ...
    def history(
        self,
        run_id: str,
        key: str,
        limit: int,
        cursor: Sequence[Any] | None,
        steps: StepRange = ALL_STEPS,
    ) -> tuple[list[Metric], list[Any] | None]: ...
    def history_columns(
        self,
        run_id: str,
        key: str,
        limit: int,
        cursor: Sequence[Any] | None,
        steps: StepRange = ALL_STEPS,
    ) -> tuple[HistoryColumns, list[Any] | None]:
        """The same page as history(), as columns, built without an object per point."""
        ...

    def series(
        self,
        run_id: str,
        key: str,
        max_points: int,
        steps: StepRange,
        summarized: bool = True,
    ) -> MetricSeries | None:
        """One series, downsampled to at most max_points points when it has more. Through the
        series' summaries unless `summarized` is False; None when they lag too far behind to
        answer (summarize() the series in a write transaction, then ask again)."""
        ...

    def summarize(self, run_id: str, key: str) -> int:
        """Brings the series' summaries up to date; returns how many blocks were added. Needs
        a write transaction."""
        ...

    def series_sizes(
        self, run_ids: Sequence[str], keys: Sequence[str], steps: StepRange
    ) -> dict[tuple[str, str], int]:
        """The number of points of every (run, key) pair that has any in the step range."""
        ...

    def many_series(
        self, sizes: dict[tuple[str, str], int], max_points: int, steps: StepRange
    ) -> dict[tuple[str, str], MetricSeries | None]:
        """The series of `sizes` (as returned by series_sizes), each downsampled to at most
        max_points points; None for a series whose summaries lag (as series())."""
        ...


class IdempotencyRepository(Protocol):
    def claim(
        self,
        request_id: str,
        method: str,
        fingerprint: str,
        now: int,
        response: bytes | None = None,
    ) -> StoredRequestLike | None: ...
    def record(self, request_id: str, response: bytes) -> None: ...
    def claim_writes(self, writer_id: str, sequences: Sequence[int], now: int) -> set[int]:
        """Claims the write ids (writer_id, sequence) for this transaction; returns the
        sequences an earlier committed transaction claimed already. Concurrent claims of one
        writer's ids are serialised, so a write is claimed once."""
        ...

    def expire(self, older_than: int) -> int:
        """Forgets request ids and write ids claimed before `older_than`; returns how many."""
        ...


@dataclass(frozen=True)
class RequestClaim:
    """The idempotency record a write claims (see service/idempotency.py)."""

    request_id: str
    method: str
    fingerprint: str
    now: int
    answer: bytes


class StoreTransaction(Protocol):
    @property
    def experiments(self) -> ExperimentRepository: ...
    @property
    def runs(self) -> RunRepository: ...
    @property
    def metrics(self) -> MetricRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...

    def search_runs(
        self,
        experiment_ids: Sequence[int],
        stages: Sequence[LifecycleStage],
        spec: SearchSpec,
        limit: int,
        cursor: Sequence[Any] | None,
        mask: RunReadMask | None = None,
    ) -> RunPage:
        """One page of runs of the experiments `experiment_ids` whose lifecycle stage is one
        of `stages`, with the data `mask` selects (None: everything)."""
        ...


class TrackingStore(Protocol):
    def transaction(self, write: bool) -> AbstractContextManager[StoreTransaction]: ...
    def log_point_if_new(self, run_id: str, point: Metric, claim: RequestClaim | None) -> bool:
        """A one-statement LogMetric in a transaction of its own: writes `point` (and the claim)
        only if the run is active and the claim is new or absent, and says whether it did.
        False when it wrote nothing, including when the backend has no such statement: the
        caller takes the general path."""
        ...

    def create_run_if_new(
        self, run: Run, parent_run_id: str, location: str, claim: RequestClaim | None
    ) -> bool:
        """A one-statement CreateRun committed on its own: inserts the new `run` (its info and
        tags) only if its experiment is active with the artifact location `location`, the
        parent run (if any) exists and the claim is new or absent, and says whether it did.
        False when it wrote nothing, including when the backend has no such statement: the
        caller takes the general path."""
        ...

    def setting(self, name: str, default: str) -> str: ...
