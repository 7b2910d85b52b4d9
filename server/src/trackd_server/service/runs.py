"""Runs: lifecycle, tags, params, batches and search."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from ..domain.entities import (
    BatchWrites,
    LifecycleStage,
    Metric,
    Page,
    Param,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    Tag,
    ViewType,
)
from ..domain.errors import FailedPrecondition, InvalidArgument, NotFound, TrackdError
from ..store.protocol import (
    NewRun,
    Refusal,
    Refused,
    Replayed,
    RunReadMask,
    RunSearch,
    StoreTransaction,
    TrackingStore,
    Written,
)
from . import batch_writes, validation
from .clock import now_ms
from .experiments import experiment_deleted, experiment_not_found
from .idempotency import claim_for, replay, run_once
from .names import generate_run_name
from .pagination import PageTokens, page_size, query_digest
from .search import run_search_spec

RUN_NAME_TAG = "mlflow.runName"
USER_TAG = "mlflow.user"
PARENT_RUN_TAG = "mlflow.parentRunId"
SEARCH_PAGE_DEFAULT = 100
SEARCH_PAGE_MAX = 1000
MAX_SEARCH_EXPERIMENTS = 1000


def run_not_found(run_id: str) -> NotFound:
    return NotFound(
        f"run {run_id!r} does not exist", reason="RUN_NOT_FOUND", metadata={"run_id": run_id}
    )


def run_deleted(run_id: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"run {run_id} is deleted; restore it before writing to it",
        reason="RUN_DELETED",
        metadata={"run_id": run_id},
    )


def parent_run_not_found(run_id: str) -> NotFound:
    return NotFound(
        f"parent run {run_id!r} does not exist",
        reason="RUN_NOT_FOUND",
        metadata={"run_id": run_id},
    )


def refusal_error(refusal: Refusal, run_id: str, experiment_id: int = 0) -> TrackdError:
    """The error for a write the store refused: `run_id` names the run written to (or the
    parent run of a new run), `experiment_id` the experiment of a new run."""
    if refusal is Refusal.RUN_DELETED:
        return run_deleted(run_id)
    if refusal is Refusal.PARENT_RUN_NOT_FOUND:
        return parent_run_not_found(run_id)
    if refusal is Refusal.EXPERIMENT_NOT_FOUND:
        return experiment_not_found(str(experiment_id))
    if refusal is Refusal.EXPERIMENT_DELETED:
        return experiment_deleted(experiment_id)
    return run_not_found(run_id)


def writable_run(tx: StoreTransaction, run_id: str, exclusive: bool = False) -> RunInfo:
    """Locks an active run for writing; NOT_FOUND if missing, FAILED_PRECONDITION if deleted."""
    info = tx.runs.lock(run_id, exclusive)
    if info is None:
        raise run_not_found(run_id)
    if info.lifecycle_stage is not LifecycleStage.ACTIVE:
        raise run_deleted(run_id)
    return info


def with_timestamps(metrics: Sequence[Metric]) -> list[Metric]:
    """A timestamp of 0 means "now" on the wire."""
    now = now_ms()
    return [m if m.timestamp else m._replace(timestamp=now) for m in metrics]


def param_conflict(param: Param, stored: str) -> InvalidArgument:
    return InvalidArgument(
        f"param {param.key!r} was already logged with value {stored!r}; params are write-once "
        f"and cannot be changed to {param.value!r}",
        reason="PARAM_VALUE_CHANGED",
        metadata={"key": param.key, "stored_value": stored[:200], "new_value": param.value[:200]},
    )


class RunService:
    def __init__(self, store: TrackingStore, page_tokens: PageTokens) -> None:
        self._store = store
        self._tokens = page_tokens

    def create(
        self,
        experiment_id: str,
        run_name: str,
        start_time: int | None,
        tags: Sequence[Tag],
        parent_run_id: str,
        user_id: str,
        request_id: str = "",
    ) -> Run:
        numeric_experiment = validation.experiment_id(experiment_id or "0")
        name = validation.optional_name(run_name, "run_name", validation.MAX_RUN_NAME_LENGTH)
        user = validation.optional_name(user_id, "user_id", validation.MAX_USER_ID_LENGTH)
        if start_time is not None:
            validation.timestamp(start_time, "start_time")
        for i, tag in enumerate(tags):
            validation.run_tag(tag, f"tags[{i}]")
        given = {t.key: t.value for t in tags}
        if RUN_NAME_TAG in given:
            if name and given[RUN_NAME_TAG] != name:
                raise validation.invalid(
                    "run_name",
                    f"{name!r} contradicts the {RUN_NAME_TAG} tag {given[RUN_NAME_TAG]!r}",
                )
            name = given[RUN_NAME_TAG]
        user = user or given.get(USER_TAG, "")
        if parent_run_id:
            validation.run_id(parent_run_id, "parent_run_id")

        def new_run(location: str) -> Run:
            run_id = uuid.uuid4().hex
            info = RunInfo(
                run_id=run_id,
                run_name=name or generate_run_name(),
                experiment_id=str(numeric_experiment),
                user_id=user,
                status=RunStatus.RUNNING,
                start_time=now_ms() if start_time is None else start_time,
                end_time=None,
                artifact_uri=f"{location.rstrip('/')}/{run_id}/artifacts",
                lifecycle_stage=LifecycleStage.ACTIVE,
            )
            system = [Tag(RUN_NAME_TAG, info.run_name)]
            if user:
                system.append(Tag(USER_TAG, user))
            if parent_run_id:
                system.append(Tag(PARENT_RUN_TAG, parent_run_id))
            # Tags as the store keeps them: the last value of each key, in key order. The new
            # run is exactly what is inserted, so it is never read back.
            last = {t.key: t.value for t in [*tags, *system]}
            return Run(info=info, data=RunData(tags=tuple(Tag(k, last[k]) for k in sorted(last))))

        args = [
            numeric_experiment,
            name,
            start_time,
            [[t.key, t.value] for t in tags],
            parent_run_id,
            user,
        ]
        validation.request_id(request_id)
        claim = claim_for("CreateRun", request_id, args, Run.to_json)
        result = self._store.create_run(NewRun(numeric_experiment, parent_run_id, new_run), claim)
        match result:
            case Written(value=run):
                return run
            case Replayed(prior=prior):
                assert claim is not None, "only a claimed request id is replayed"
                return replay(prior, claim.method, request_id, claim.fingerprint, Run.from_json)
            case Refused(reason=reason):
                raise refusal_error(reason, parent_run_id, numeric_experiment)

    def get(self, run_id: str) -> Run:
        validation.run_id(run_id)
        with self._store.transaction(write=False) as tx:
            run = tx.runs.get(run_id)
        if run is None:
            raise run_not_found(run_id)
        return run

    def update(
        self,
        run_id: str,
        status: RunStatus | None,
        end_time: int | None,
        run_name: str | None,
        request_id: str = "",
    ) -> RunInfo:
        validation.run_id(run_id)
        if end_time is not None:
            validation.timestamp(end_time, "end_time")
        name = None
        if run_name is not None:
            name = validation.optional_name(run_name, "run_name", validation.MAX_RUN_NAME_LENGTH)
            if not name:
                raise validation.invalid("run_name", "must not be empty when given")

        def work(tx: StoreTransaction) -> RunInfo:
            writable_run(tx, run_id, exclusive=True)
            values: dict[str, object] = {}
            if status is not None:
                values["status"] = status.value
                if status is RunStatus.RUNNING and end_time is None:
                    values["end_time"] = None  # resuming a run: it has not ended any more
            if end_time is not None:
                values["end_time"] = end_time
            if name is not None:
                values["name"] = name
                tx.runs.set_tags(run_id, [Tag(RUN_NAME_TAG, name)])
            tx.runs.update(run_id, **values)
            updated = tx.runs.get_info(run_id)
            assert updated is not None
            return updated

        args = [run_id, status.value if status else None, end_time, name]
        return run_once(
            self._store, "UpdateRun", request_id, args, work, RunInfo.to_json, RunInfo.from_json
        )

    def delete(self, run_id: str, request_id: str = "") -> None:
        self._set_stage(run_id, LifecycleStage.DELETED, "DeleteRun", request_id)

    def restore(self, run_id: str, request_id: str = "") -> None:
        self._set_stage(run_id, LifecycleStage.ACTIVE, "RestoreRun", request_id)

    def _set_stage(self, run_id: str, target: LifecycleStage, method: str, request_id: str) -> None:
        validation.run_id(run_id)

        def work(tx: StoreTransaction) -> None:
            info = tx.runs.lock(run_id, exclusive=True)
            if info is None:
                raise run_not_found(run_id)
            if info.lifecycle_stage is target:
                raise FailedPrecondition(
                    f"run {run_id} is already {target.value}",
                    reason=f"RUN_ALREADY_{target.name}",
                    metadata={"run_id": run_id},
                )
            tx.runs.update(run_id, lifecycle_stage=target.value)

        run_once(self._store, method, request_id, [run_id], work)

    def set_tag(self, run_id: str, tag: Tag, request_id: str = "") -> None:
        self.log_batch(run_id, (), (), (validation.run_tag(tag),), request_id, method="SetRunTag")

    def delete_tag(self, run_id: str, key: str, request_id: str = "") -> None:
        validation.run_id(run_id)
        validation.key(key, "key")

        def work(tx: StoreTransaction) -> None:
            writable_run(tx, run_id)
            if not tx.runs.delete_tag(run_id, key):
                raise NotFound(
                    f"run {run_id} has no tag {key!r}",
                    reason="TAG_NOT_FOUND",
                    metadata={"run_id": run_id, "key": key},
                )

        run_once(self._store, "DeleteRunTag", request_id, [run_id, key], work)

    def log_param(self, run_id: str, param: Param, request_id: str = "") -> None:
        self.log_batch(run_id, (), (validation.param(param),), (), request_id, method="LogParam")

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric],
        params: Sequence[Param],
        tags: Sequence[Tag],
        request_id: str = "",
        method: str = "LogBatch",
        writes: BatchWrites | None = None,
    ) -> None:
        """Writes everything or nothing: the batch is validated first, and a param conflict
        found in the database rolls the whole transaction back. With `writes`, the items of
        writes that an earlier batch applied are skipped (see batch_writes.py)."""
        validation.run_id(run_id)
        validation.batch(metrics, params, tags)
        if writes is not None:
            batch_writes.check(writes, metrics, params, tags)
        exclusive = any(t.key == RUN_NAME_TAG for t in tags)

        def work(tx: StoreTransaction) -> None:
            items = batch_writes.BatchItems(metrics, params, tags)  # no copy on the usual path
            if writes is not None:
                sequences = [w.sequence for w in writes.writes]
                applied = tx.idempotency.claim_writes(writes.writer_id, sequences, now_ms())
                if applied:
                    items = batch_writes.unapplied(writes, applied, metrics, params, tags)
            info = writable_run(tx, run_id, exclusive=exclusive)
            conflicts = tx.runs.insert_params(run_id, items.params)
            if conflicts:
                raise param_conflict(*conflicts[0])
            tx.metrics.append(run_id, int(info.experiment_id), with_timestamps(items.metrics))
            tx.runs.set_tags(run_id, items.tags)
            renames = [t.value for t in items.tags if t.key == RUN_NAME_TAG]
            if renames:
                tx.runs.update(run_id, name=renames[-1])

        args = [
            run_id,
            [[m.key, repr(m.value), m.timestamp, m.step] for m in metrics],
            [[p.key, p.value] for p in params],
            [[t.key, t.value] for t in tags],
        ]
        if writes is not None:
            args.append([writes.writer_id, [list(w) for w in writes.writes]])
        run_once(self._store, method, request_id, args, work)

    def search(
        self,
        experiment_ids: Sequence[str],
        filter_text: str,
        view_type: ViewType,
        order_by: Sequence[str],
        size: int,
        token: str,
        read_mask: RunReadMask | None = None,
    ) -> Page[Run]:
        """One page of runs; `read_mask` (None: everything) limits the data each run carries.
        The mask is not part of the page token, so it may change from page to page."""
        if not experiment_ids:
            raise validation.invalid("experiment_ids", "name at least one experiment")
        if len(experiment_ids) > MAX_SEARCH_EXPERIMENTS:
            raise validation.invalid(
                "experiment_ids", f"at most {MAX_SEARCH_EXPERIMENTS} experiments per search"
            )
        numeric = sorted({validation.experiment_id(e, "experiment_ids") for e in experiment_ids})
        spec = run_search_spec(filter_text, order_by)
        limit = page_size(size, SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX)
        digest = query_digest("runs", numeric, view_type.value, *spec.digest_parts())
        cursor = self._tokens.decode(digest, token)
        search = RunSearch(numeric, view_type.stages(), spec, read_mask or RunReadMask())
        with self._store.transaction(write=False) as tx:
            # Optimistic: read the page, and the searched experiments with it; check them
            # after. Only a search naming an experiment that is deleted (and hidden by the
            # view) reads its page again.
            page = tx.search_runs(search, limit, cursor)
            visible = _visible_experiments(numeric, page.experiment_stages, view_type)
            if len(visible) < len(numeric):
                if not visible:
                    return Page([], "")
                page = tx.search_runs(replace(search, experiment_ids=visible), limit, cursor)
        return Page(page.runs, self._tokens.encode(digest, page.cursor))


def _visible_experiments(
    searched: list[int], found: dict[int, LifecycleStage], view_type: ViewType
) -> list[int]:
    """The searched experiments whose runs the view shows; NOT_FOUND for one that does not
    exist. A deleted experiment hides its runs from the default (active-only) view."""
    visible = []
    for experiment_id in searched:
        stage = found.get(experiment_id)
        if stage is None:
            raise experiment_not_found(str(experiment_id))
        if view_type is not ViewType.ACTIVE_ONLY or stage is LifecycleStage.ACTIVE:
            visible.append(experiment_id)
    return visible
