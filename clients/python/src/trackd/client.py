"""`TrackingClient`: explicit-id access to experiments, runs and metrics, like MLflow's
`MlflowClient`. Dataclasses in, dataclasses out; page tokens hidden behind iterators."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import grpc

from trackd import _context, _convert, _env
from trackd._history import HistoryMethods
from trackd._run_writes import RunWriteMethods
from trackd._transport import Transport
from trackd.artifacts import ArtifactMethods
from trackd.entities import (
    Experiment,
    PagedList,
    Run,
    RunInfo,
    RunStatus,
    ViewType,
)
from trackd.exceptions import NotFoundError
from trackd.v1 import (
    experiment_service_pb2 as exp_pb,
)
from trackd.v1 import (
    run_service_pb2 as run_pb,
)

# The largest pages the server accepts.
MAX_SEARCH_PAGE_SIZE = 1000

T = TypeVar("T")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _ids(experiment_ids: str | Iterable[str]) -> list[str]:
    if isinstance(experiment_ids, str):
        return [experiment_ids]
    return [str(i) for i in experiment_ids]


def _read_mask(
    metric_keys: Iterable[str] | None,
    param_keys: Iterable[str] | None,
    tag_keys: Iterable[str] | None,
) -> run_pb.RunReadMask | None:
    """None (everything) unless some selection is given; None within it means all keys."""
    if metric_keys is None and param_keys is None and tag_keys is None:
        return None
    return run_pb.RunReadMask(
        all_metrics=metric_keys is None,
        metric_keys=list(metric_keys or ()),
        all_params=param_keys is None,
        param_keys=list(param_keys or ()),
        all_tags=tag_keys is None,
        tag_keys=list(tag_keys or ()),
    )


def _limited(pages: Iterator[PagedList[T]], max_results: int | None) -> Iterator[T]:
    # Stops as soon as max_results items were yielded, without fetching another page.
    remaining = max_results
    if remaining == 0:
        return
    for page in pages:
        for item in page:
            yield item
            if remaining is not None:
                remaining -= 1
                if remaining == 0:
                    return


class TrackingClient(RunWriteMethods, HistoryMethods, ArtifactMethods):
    """A client of one trackd server.

    Args:
        tracking_uri: `grpc://host:port` (plaintext) or `grpcs://host:port` (TLS). None uses
            `trackd.set_tracking_uri`'s value, then `TRACKD_TRACKING_URI`, then
            `grpc://127.0.0.1:50051`.
        timeout: deadline of each call, its retries included, in seconds (default: the
            shared policy's 60, or `TRACKD_REQUEST_TIMEOUT`).
        max_retries: retries of a call that failed with UNAVAILABLE (default: the shared
            policy's 4, or `TRACKD_REQUEST_MAX_RETRIES`; gRPC allows at most 4).
        backoff_factor: the first retry's backoff ceiling in seconds, doubled on each retry
            up to 8 s (default: the shared policy's 1, or `TRACKD_REQUEST_BACKOFF_FACTOR`).
            See docs/errors.md#retries.
        interceptors: gRPC client interceptors, for example to add authentication metadata.

    The client is thread-safe and may be used in a process forked after it was created: the
    child opens its own connection.
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        backoff_factor: float | None = None,
        interceptors: Sequence[grpc.UnaryUnaryClientInterceptor] = (),
    ) -> None:
        self.tracking_uri = str(tracking_uri) if tracking_uri else _env.get_tracking_uri()
        self._transport = Transport(
            self.tracking_uri,
            timeout=timeout,
            max_retries=max_retries,
            backoff_factor=backoff_factor,
            interceptors=interceptors,
        )

    def close(self) -> None:
        """Sends the writes still queued (`synchronous=False`), then closes the connection; a
        later call reopens it."""
        try:
            self.flush()
        finally:
            self._transport.close()

    def __enter__(self) -> TrackingClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TrackingClient({self.tracking_uri!r})"

    # ----------------------------------------------------------------------------- experiments

    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> str:
        """Creates an experiment and returns its id. AlreadyExistsError if the name is taken."""
        request = exp_pb.CreateExperimentRequest(
            name=name,
            artifact_location=artifact_location or "",
            tags=_convert.experiment_tags_to_proto(tags),
        )
        reply = self._transport.call(lambda s: s.experiments.CreateExperiment, request)
        return str(reply.experiment.experiment_id)

    def get_experiment(self, experiment_id: str) -> Experiment:
        """Reads an experiment, deleted or not. NotFoundError if there is none."""
        request = exp_pb.GetExperimentRequest(experiment_id=str(experiment_id))
        reply = self._transport.call(lambda s: s.experiments.GetExperiment, request)
        return _convert.experiment_from_proto(reply.experiment)

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """Reads an experiment by name, deleted or not; None if there is none."""
        request = exp_pb.GetExperimentByNameRequest(name=name)
        try:
            reply = self._transport.call(lambda s: s.experiments.GetExperimentByName, request)
        except NotFoundError:
            return None
        return _convert.experiment_from_proto(reply.experiment)

    def search_experiments(
        self,
        view_type: ViewType | str | int = ViewType.ACTIVE_ONLY,
        max_results: int | None = None,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_size: int | None = None,
    ) -> Iterator[Experiment]:
        """Iterates over the matching experiments, fetching pages as needed.

        Args:
            view_type: ACTIVE_ONLY (default), DELETED_ONLY or ALL.
            max_results: stop after this many experiments; None for all.
            filter_string: for example ``"name LIKE 'fraud-%' AND tags.team = 'risk'"``.
            order_by: for example ``["name ASC"]``; default newest first.
            page_size: experiments per request (at most 1000; None for the server's default).
        """
        size = self._page_size(page_size, max_results)

        def pages() -> Iterator[PagedList[Experiment]]:
            token: str | None = None
            while True:
                page = self.search_experiments_page(
                    view_type, size, filter_string, order_by, page_token=token
                )
                yield page
                if not page.token:
                    return
                token = page.token

        return _limited(pages(), max_results)

    def search_experiments_page(
        self,
        view_type: ViewType | str | int = ViewType.ACTIVE_ONLY,
        max_results: int | None = None,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        """Returns one page of experiments (at most `max_results`) and the next page's token."""
        request = exp_pb.SearchExperimentsRequest(
            filter=filter_string or "",
            view_type=_convert.view_type_to_proto(view_type),
            order_by=list(order_by or []),
            page_size=max_results or 0,
            page_token=page_token or "",
        )
        reply = self._transport.call(lambda s: s.experiments.SearchExperiments, request)
        experiments = [_convert.experiment_from_proto(e) for e in reply.experiments]
        return PagedList(experiments, reply.next_page_token or None)

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        """Renames an active experiment."""
        request = exp_pb.UpdateExperimentRequest(
            experiment_id=str(experiment_id), new_name=new_name
        )
        self._transport.call(lambda s: s.experiments.UpdateExperiment, request)

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-deletes an experiment; its runs leave default searches."""
        request = exp_pb.DeleteExperimentRequest(experiment_id=str(experiment_id))
        self._transport.call(lambda s: s.experiments.DeleteExperiment, request)

    def restore_experiment(self, experiment_id: str) -> None:
        """Restores a soft-deleted experiment."""
        request = exp_pb.RestoreExperimentRequest(experiment_id=str(experiment_id))
        self._transport.call(lambda s: s.experiments.RestoreExperiment, request)

    def set_experiment_tag(self, experiment_id: str, key: str, value: Any) -> None:
        """Sets (inserts or overwrites) a tag on an experiment; the value is stored as a string."""
        request = exp_pb.SetExperimentTagRequest(
            experiment_id=str(experiment_id), key=key, value=str(value)
        )
        self._transport.call(lambda s: s.experiments.SetExperimentTag, request)

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Removes a tag from an experiment. NotFoundError if it has no such tag."""
        request = exp_pb.DeleteExperimentTagRequest(experiment_id=str(experiment_id), key=key)
        self._transport.call(lambda s: s.experiments.DeleteExperimentTag, request)

    # ------------------------------------------------------------------------------------ runs

    def create_run(
        self,
        experiment_id: str,
        start_time: int | None = None,
        tags: Mapping[str, Any] | None = None,
        run_name: str | None = None,
        parent_run_id: str | None = None,
    ) -> Run:
        """Starts a run (status RUNNING) in an active experiment and returns it.

        Args:
            experiment_id: the experiment; "0" is the Default experiment.
            start_time: milliseconds since the epoch; default now.
            tags: initial tags. `mlflow.user` there also sets the run's user (default: the
                OS user).
            run_name: default a generated name such as "brave-otter-417".
            parent_run_id: makes this a nested run (tag `mlflow.parentRunId`).
        """
        tag_map = {str(k): str(v) for k, v in (tags or {}).items()}
        request = run_pb.CreateRunRequest(
            experiment_id=str(experiment_id),
            run_name=run_name or "",
            start_time=start_time if start_time is not None else _now_ms(),
            tags=_convert.run_tags_to_proto(tag_map),
            parent_run_id=parent_run_id or "",
            user_id=tag_map.get(_context.USER) or _context.current_user(),
        )
        reply = self._transport.call(lambda s: s.runs.CreateRun, request)
        return _convert.run_from_proto(reply.run)

    def get_run(self, run_id: str) -> Run:
        """Reads a run, deleted or not, with the latest value of each metric."""
        reply = self._transport.call(lambda s: s.runs.GetRun, run_pb.GetRunRequest(run_id=run_id))
        return _convert.run_from_proto(reply.run)

    def get_parent_run(self, run_id: str) -> Run | None:
        """The parent of a nested run, or None for a top-level run."""
        parent_id = self.get_run(run_id).data.tags.get(_context.PARENT_RUN_ID)
        return self.get_run(parent_id) if parent_id else None

    def update_run(
        self,
        run_id: str,
        status: RunStatus | str | None = None,
        name: str | None = None,
        end_time: int | None = None,
    ) -> RunInfo:
        """Changes a run's status, name or end time; None leaves a field as it is."""
        request = run_pb.UpdateRunRequest(run_id=run_id)
        if status is not None:
            request.status = _convert.status_to_proto(status)
        if name is not None:
            request.run_name = name
        if end_time is not None:
            request.end_time = end_time
        reply = self._transport.call(lambda s: s.runs.UpdateRun, request)
        return _convert.run_info_from_proto(reply.run_info)

    def set_terminated(
        self, run_id: str, status: RunStatus | str | None = None, end_time: int | None = None
    ) -> None:
        """Ends a run: status FINISHED unless given, end time now unless given."""
        self.update_run(
            run_id,
            status=status if status is not None else RunStatus.FINISHED,
            end_time=end_time if end_time is not None else _now_ms(),
        )

    def delete_run(self, run_id: str) -> None:
        """Soft-deletes a run; it stays readable by id but refuses writes."""
        request = run_pb.DeleteRunRequest(run_id=run_id)
        self._transport.call(lambda s: s.runs.DeleteRun, request)

    def restore_run(self, run_id: str) -> None:
        """Restores a soft-deleted run."""
        request = run_pb.RestoreRunRequest(run_id=run_id)
        self._transport.call(lambda s: s.runs.RestoreRun, request)

    def search_runs(
        self,
        experiment_ids: str | Iterable[str],
        filter_string: str = "",
        run_view_type: ViewType | str | int = ViewType.ACTIVE_ONLY,
        max_results: int | None = None,
        order_by: Sequence[str] | None = None,
        page_size: int | None = None,
        metric_keys: Iterable[str] | None = None,
        param_keys: Iterable[str] | None = None,
        tag_keys: Iterable[str] | None = None,
    ) -> Iterator[Run]:
        """Iterates lazily over the matching runs, fetching a page at a time.

        Args:
            experiment_ids: one id or several.
            filter_string: for example ``"metrics.loss < 0.2 AND params.optimizer = 'adam'"``.
            run_view_type: ACTIVE_ONLY (default), DELETED_ONLY or ALL.
            max_results: stop after this many runs; None for all.
            order_by: for example ``["metrics.loss ASC"]``; default newest first.
            page_size: runs per request (at most 1000; None for the server's default of 100).
            metric_keys, param_keys, tag_keys: what each run carries: None for every key,
                a list for only those keys (empty for none), so wide runs stay small.
        """
        ids = _ids(experiment_ids)
        size = self._page_size(page_size, max_results)
        mask = _read_mask(metric_keys, param_keys, tag_keys)

        def pages() -> Iterator[PagedList[Run]]:
            token: str | None = None
            while True:
                page = self._search_runs_page(
                    ids, filter_string, run_view_type, size, order_by, token, mask
                )
                yield page
                if not page.token:
                    return
                token = page.token

        return _limited(pages(), max_results)

    def search_runs_page(
        self,
        experiment_ids: str | Iterable[str],
        filter_string: str = "",
        run_view_type: ViewType | str | int = ViewType.ACTIVE_ONLY,
        max_results: int | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
        metric_keys: Iterable[str] | None = None,
        param_keys: Iterable[str] | None = None,
        tag_keys: Iterable[str] | None = None,
    ) -> PagedList[Run]:
        """Returns one page of runs (at most `max_results`, server default 100) and, as
        `.token`, the next page's token (None on the last page), like MLflow's search_runs.
        The key selections are those of `search_runs`."""
        return self._search_runs_page(
            _ids(experiment_ids),
            filter_string,
            run_view_type,
            max_results,
            order_by,
            page_token,
            _read_mask(metric_keys, param_keys, tag_keys),
        )

    def _search_runs_page(
        self,
        experiment_ids: list[str],
        filter_string: str,
        run_view_type: ViewType | str | int,
        max_results: int | None,
        order_by: Sequence[str] | None,
        page_token: str | None,
        mask: run_pb.RunReadMask | None,
    ) -> PagedList[Run]:
        request = run_pb.SearchRunsRequest(
            experiment_ids=experiment_ids,
            filter=filter_string or "",
            view_type=_convert.view_type_to_proto(run_view_type),
            order_by=list(order_by or []),
            page_size=max_results or 0,
            page_token=page_token or "",
            read_mask=mask,
        )
        reply = self._transport.call(lambda s: s.runs.SearchRuns, request)
        runs = [_convert.run_from_proto(r) for r in reply.runs]
        return PagedList(runs, reply.next_page_token or None)

    @staticmethod
    def _page_size(page_size: int | None, max_results: int | None) -> int | None:
        # Do not fetch a big page to return a handful of results.
        if max_results is not None and max_results < 0:
            raise ValueError(f"max_results must be >= 0, got {max_results}")
        if page_size is None and max_results is not None:
            return min(max(max_results, 1), MAX_SEARCH_PAGE_SIZE)
        return page_size
