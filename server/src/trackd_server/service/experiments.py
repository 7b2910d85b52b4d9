"""Experiments: create, read, search, rename, delete/restore, tags."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..domain.entities import Experiment, LifecycleStage, Page, Tag, ViewType
from ..domain.errors import AlreadyExists, FailedPrecondition, NotFound
from ..store.protocol import StoreTransaction, TrackingStore
from . import validation
from .clock import now_ms
from .idempotency import run_once
from .pagination import PageTokens, page_size, query_digest
from .search import experiment_search_spec

DEFAULT_EXPERIMENT_ID = 0
DEFAULT_EXPERIMENT_NAME = "Default"
SEARCH_PAGE_DEFAULT = 100
SEARCH_PAGE_MAX = 1000


def experiment_not_found(experiment_id: str) -> NotFound:
    return NotFound(
        f"experiment {experiment_id!r} does not exist",
        reason="EXPERIMENT_NOT_FOUND",
        metadata={"experiment_id": experiment_id},
    )


def require_active(tx: StoreTransaction, experiment_id: int, lock: bool) -> None:
    """Checks that an experiment exists and is active, locking it against concurrent changes."""
    if lock:
        stage = tx.experiments.lock(experiment_id)
    else:
        found = tx.experiments.location_for_share(experiment_id)
        stage = found[0] if found else None
    check_active(experiment_id, stage)


def check_active(experiment_id: int, stage: LifecycleStage | None) -> None:
    """NOT_FOUND when the experiment is missing (stage None), FAILED_PRECONDITION if deleted."""
    if stage is None:
        raise experiment_not_found(str(experiment_id))
    if stage is not LifecycleStage.ACTIVE:
        raise experiment_deleted(experiment_id)


def experiment_deleted(experiment_id: int) -> FailedPrecondition:
    return FailedPrecondition(
        f"experiment {experiment_id} is deleted; restore it first",
        reason="EXPERIMENT_DELETED",
        metadata={"experiment_id": str(experiment_id)},
    )


class ExperimentService:
    def __init__(
        self,
        store: TrackingStore,
        artifact_root: str,
        page_tokens: PageTokens,
        check_location: Callable[[str], str] | None = None,
    ) -> None:
        self._store = store
        self._artifact_root = artifact_root.rstrip("/")
        self._tokens = page_tokens
        # The artifact store's validation of a client-chosen artifact_location.
        self._check_location = check_location

    def ensure_default_experiment(self) -> None:
        try:
            with self._store.transaction(write=True) as tx:
                if tx.experiments.get(DEFAULT_EXPERIMENT_ID) is None:
                    tx.experiments.insert(
                        DEFAULT_EXPERIMENT_NAME,
                        f"{self._artifact_root}/{DEFAULT_EXPERIMENT_ID}",
                        (),
                        now_ms(),
                        experiment_id=DEFAULT_EXPERIMENT_ID,
                    )
        except AlreadyExists:
            pass  # another server process on the same database created it first

    def create(
        self, name: str, artifact_location: str, tags: Sequence[Tag], request_id: str = ""
    ) -> Experiment:
        name = validation.experiment_name(name)
        location = validation.text(
            artifact_location.strip(), "artifact_location", validation.MAX_ARTIFACT_LOCATION_LENGTH
        )
        if location and self._check_location is not None:
            location = self._check_location(location)
        for i, tag in enumerate(tags):
            validation.experiment_tag(tag, f"tags[{i}]")

        def work(tx: StoreTransaction) -> Experiment:
            if tx.experiments.name_taken(name):
                raise AlreadyExists(
                    f"an experiment named {name!r} already exists (it may be deleted; restore or "
                    "rename it)",
                    reason="EXPERIMENT_NAME_TAKEN",
                    metadata={"name": name},
                )
            new_id = tx.experiments.insert(name, location, _last_wins(tags), now_ms())
            if not location:
                tx.experiments.set_artifact_location(new_id, f"{self._artifact_root}/{new_id}")
            created = tx.experiments.get(new_id)
            assert created is not None
            return created

        return run_once(
            self._store,
            "CreateExperiment",
            request_id,
            [name, location, _tag_pairs(tags)],
            work,
            Experiment.to_json,
            Experiment.from_json,
        )

    def get(self, experiment_id: str) -> Experiment:
        numeric = validation.experiment_id(experiment_id)
        with self._store.transaction(write=False) as tx:
            found = tx.experiments.get(numeric)
        if found is None:
            raise experiment_not_found(experiment_id)
        return found

    def get_by_name(self, name: str) -> Experiment:
        normalised = validation.experiment_name(name)
        with self._store.transaction(write=False) as tx:
            found = tx.experiments.get_by_name(normalised)
        if found is None:
            raise NotFound(
                f"no experiment is named {normalised!r}",
                reason="EXPERIMENT_NOT_FOUND",
                metadata={"name": normalised},
            )
        return found

    def search(
        self, filter_text: str, view_type: ViewType, order_by: Sequence[str], size: int, token: str
    ) -> Page[Experiment]:
        spec = experiment_search_spec(filter_text, order_by)
        limit = page_size(size, SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX)
        digest = query_digest("experiments", view_type.value, *spec.digest_parts())
        cursor = self._tokens.decode(digest, token)
        with self._store.transaction(write=False) as tx:
            items, next_cursor = tx.experiments.search(view_type.stages(), spec, limit, cursor)
        return Page(items, self._tokens.encode(digest, next_cursor))

    def rename(self, experiment_id: str, new_name: str, request_id: str = "") -> Experiment:
        numeric = validation.experiment_id(experiment_id)
        name = validation.experiment_name(new_name, "new_name")

        def work(tx: StoreTransaction) -> Experiment:
            require_active(tx, numeric, lock=True)
            current = tx.experiments.get(numeric)
            assert current is not None
            if current.name != name:
                if tx.experiments.name_taken(name):
                    raise AlreadyExists(
                        f"an experiment named {name!r} already exists",
                        reason="EXPERIMENT_NAME_TAKEN",
                        metadata={"name": name},
                    )
                tx.experiments.update(numeric, now_ms(), name=name)
            renamed = tx.experiments.get(numeric)
            assert renamed is not None
            return renamed

        return run_once(
            self._store,
            "UpdateExperiment",
            request_id,
            [numeric, name],
            work,
            Experiment.to_json,
            Experiment.from_json,
        )

    def delete(self, experiment_id: str, request_id: str = "") -> None:
        self._set_stage(experiment_id, LifecycleStage.DELETED, "DeleteExperiment", request_id)

    def restore(self, experiment_id: str, request_id: str = "") -> None:
        self._set_stage(experiment_id, LifecycleStage.ACTIVE, "RestoreExperiment", request_id)

    def _set_stage(
        self, experiment_id: str, target: LifecycleStage, method: str, request_id: str
    ) -> None:
        numeric = validation.experiment_id(experiment_id)

        def work(tx: StoreTransaction) -> None:
            stage = tx.experiments.lock(numeric)
            if stage is None:
                raise experiment_not_found(experiment_id)
            if stage is target:
                raise FailedPrecondition(
                    f"experiment {experiment_id} is already {target.value}",
                    reason=f"EXPERIMENT_ALREADY_{target.name}",
                    metadata={"experiment_id": experiment_id},
                )
            tx.experiments.update(numeric, now_ms(), lifecycle_stage=target.value)

        run_once(self._store, method, request_id, [numeric], work)

    def set_tag(self, experiment_id: str, tag: Tag, request_id: str = "") -> None:
        numeric = validation.experiment_id(experiment_id)
        validation.experiment_tag(tag)

        def work(tx: StoreTransaction) -> None:
            require_active(tx, numeric, lock=True)
            tx.experiments.set_tag(numeric, tag)
            tx.experiments.update(numeric, now_ms())

        run_once(self._store, "SetExperimentTag", request_id, [numeric, tag.key, tag.value], work)

    def delete_tag(self, experiment_id: str, key: str, request_id: str = "") -> None:
        numeric = validation.experiment_id(experiment_id)
        validation.key(key, "key")

        def work(tx: StoreTransaction) -> None:
            require_active(tx, numeric, lock=True)
            if not tx.experiments.delete_tag(numeric, key):
                raise NotFound(
                    f"experiment {experiment_id} has no tag {key!r}",
                    reason="TAG_NOT_FOUND",
                    metadata={"experiment_id": experiment_id, "key": key},
                )
            tx.experiments.update(numeric, now_ms())

        run_once(self._store, "DeleteExperimentTag", request_id, [numeric, key], work)


def _last_wins(tags: Sequence[Tag]) -> list[Tag]:
    merged: dict[str, str] = {}
    for tag in tags:
        merged[tag.key] = tag.value
    return [Tag(k, v) for k, v in merged.items()]


def _tag_pairs(tags: Sequence[Tag]) -> list[list[str]]:
    return [[t.key, t.value] for t in tags]
