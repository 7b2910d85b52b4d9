"""What the service layer needs from a store. The SQL store is the one implementation; the
protocol keeps the service honest about that boundary (and typed).

The protocol says what is needed, never how: a backend with a faster way to answer (a write
in one statement, a cache, summaries that may lag behind and be brought up to date) chooses
it, and falls back to its general way, inside itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from ..domain.entities import Experiment, LifecycleStage, Metric, Param, Run, RunInfo, Tag
from ..domain.search import SearchSpec

T = TypeVar("T")


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


@dataclass(frozen=True)
class RunSearch:
    """What a run search selects: the runs of the experiments `experiment_ids` whose lifecycle
    stage is one of `stages`, filtered and ordered by `spec`, each with the data `mask`
    selects."""

    experiment_ids: Sequence[int]
    stages: Sequence[LifecycleStage]
    spec: SearchSpec
    mask: RunReadMask = RunReadMask()


class RunPage(NamedTuple):
    """One page of a run search as the store reads it."""

    runs: list[Run]
    # The sort values of the page's last run when more runs follow, else None.
    cursor: list[Any] | None
    # The lifecycle stage of each searched experiment that exists (the caller checks the
    # searched experiments with it).
    experiment_stages: dict[int, LifecycleStage]


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


@dataclass(frozen=True)
class Sampling:
    """How a whole series is read: its points within `steps`, downsampled to at most
    `max_points` points when it has more."""

    max_points: int
    steps: StepRange = ALL_STEPS


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


@dataclass(frozen=True)
class HistoryPage:
    """Which page of one series a history read returns: up to `limit` points after `cursor`
    (None: from the first point), within the step range."""

    run_id: str
    key: str
    limit: int
    cursor: Sequence[Any] | None = None
    steps: StepRange = ALL_STEPS


class MetricRepository(Protocol):
    def append(self, run_id: str, experiment_id: int, metrics: Sequence[Metric]) -> None: ...
    def history(self, page: HistoryPage) -> tuple[list[Metric], list[Any] | None]:
        """The page's points, and the cursor of the next page (None on the last page)."""
        ...

    def history_columns(self, page: HistoryPage) -> tuple[HistoryColumns, list[Any] | None]:
        """The same page as history(), as columns, built without an object per point."""
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
class RequestClaim(Generic[T]):
    """The idempotency record that a write claims for its request id, in the transaction of
    the write itself (see service/idempotency.py); `encode` gives the answer recorded with it
    from what the write returns."""

    request_id: str
    method: str
    fingerprint: str
    now: int
    encode: Callable[[T], bytes]


@dataclass(frozen=True)
class NewRun:
    """A run to create. The service's rules make the run (`build`), given the artifact
    location of its experiment, which the store reads."""

    experiment_id: int
    parent_run_id: str
    build: Callable[[str], Run]


class Refusal(Enum):
    """Why a write wrote nothing, short of a request id claimed before."""

    RUN_NOT_FOUND = "run not found"
    RUN_DELETED = "run deleted"
    EXPERIMENT_NOT_FOUND = "experiment not found"
    EXPERIMENT_DELETED = "experiment deleted"
    PARENT_RUN_NOT_FOUND = "parent run not found"


@dataclass(frozen=True)
class Written(Generic[T]):
    """The write was made and committed; `value` is what it wrote."""

    value: T


@dataclass(frozen=True)
class Replayed:
    """Nothing was written: an earlier request claimed the request id (`prior`). The caller
    answers it again, or refuses it when it was another request."""

    prior: StoredRequestLike


@dataclass(frozen=True)
class Refused:
    """Nothing was written, and no request id was claimed."""

    reason: Refusal


@dataclass
class SeriesBatch:
    """The answer to a read of many series. `missing_run` is the first listed run that does
    not exist; `scanned` the number of stored points that downsampling the series reads. When
    a run is missing or `scanned` is over the caller's limit, `series` is empty: nothing was
    read."""

    series: list[MetricSeries] = field(default_factory=list)
    missing_run: str | None = None
    scanned: int = 0


class StoreTransaction(Protocol):
    @property
    def experiments(self) -> ExperimentRepository: ...
    @property
    def runs(self) -> RunRepository: ...
    @property
    def metrics(self) -> MetricRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...

    def search_runs(self, search: RunSearch, limit: int, cursor: Sequence[Any] | None) -> RunPage:
        """One page of the runs `search` selects: up to `limit` runs after `cursor` (None:
        from the first run)."""
        ...


class TrackingStore(Protocol):
    def transaction(self, write: bool) -> AbstractContextManager[StoreTransaction]: ...
    def log_metric(
        self, run_id: str, point: Metric, claim: RequestClaim[None] | None
    ) -> Written[None] | Replayed | Refused:
        """Appends `point` to the run, if the run is active, once per request id (the claim,
        when the request has one), in a transaction of its own."""
        ...

    def create_run(
        self, new: NewRun, claim: RequestClaim[Run] | None
    ) -> Written[Run] | Replayed | Refused:
        """Creates the run `new.build` makes from its experiment's artifact location (with its
        tags), if the experiment is active and the parent run (if any) exists, once per
        request id, in a transaction of its own. Answers the run as stored."""
        ...

    def series(self, run_id: str, key: str, sampling: Sampling) -> MetricSeries | None:
        """One series as `sampling` reads it; None when the run does not exist."""
        ...

    def series_batch(
        self, run_ids: Sequence[str], keys: Sequence[str], sampling: Sampling, max_scanned: int
    ) -> SeriesBatch:
        """The series of every (run, key) pair that has points in the step range, ordered as
        `run_ids`, then `keys`, each read as `sampling` says; nothing when a run is missing or
        downsampling would read more than `max_scanned` stored points."""
        ...

    def setting(self, name: str, default: str) -> str: ...
