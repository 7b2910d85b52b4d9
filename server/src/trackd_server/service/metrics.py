"""Metrics: logging single points and reading histories, whole or downsampled.

Every read is bounded: a page holds at most HISTORY_PAGE_MAX points (HISTORY_COLUMNS_PAGE_MAX
as columns), a downsampled series at most HISTORY_PAGE_MAX, and a bulk response at most
BULK_MAX_TOTAL_POINTS points of at most BULK_MAX_RUNS x BULK_MAX_KEYS series. The work of a
bulk read is bounded too: it refuses to downsample more than `max_scanned_points` stored points
in one call.

How a downsampled series is read (the SQL store keeps per-block summaries for it) is the
store's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..domain.entities import Metric, Page
from ..domain.errors import InvalidArgument, ResourceExhausted
from ..store.protocol import (
    ALL_STEPS,
    HistoryColumns,
    HistoryPage,
    MetricSeries,
    Refused,
    Replayed,
    RequestClaim,
    Sampling,
    StepRange,
    StoreTransaction,
    TrackingStore,
)
from . import validation
from .idempotency import claim_for, replay
from .pagination import PageTokens, page_size, query_digest
from .runs import refusal_error, run_not_found, with_timestamps

T = TypeVar("T")

HISTORY_PAGE_DEFAULT = 10_000
HISTORY_PAGE_MAX = 25_000
# Columns cost about 17 bytes per point on the wire (at most 28): a full page stays under 3 MB,
# far below the 16 MiB message cap.
HISTORY_COLUMNS_PAGE_DEFAULT = 100_000
HISTORY_COLUMNS_PAGE_MAX = 100_000
# Downsampling keeps up to four points (first, last, min, max) per bucket: fewer than four
# points cannot hold even one bucket.
MIN_MAX_POINTS = 4
BULK_MAX_RUNS = 100
BULK_MAX_KEYS = 100
BULK_DEFAULT_POINTS = 1_000
BULK_MAX_POINTS = 10_000
BULK_MAX_TOTAL_POINTS = 100_000
# About ten seconds of database work on a small machine.
BULK_MAX_SCANNED_POINTS = 10_000_000


def _limit(field: str, message: str, maximum: int) -> InvalidArgument:
    error = validation.invalid(field, message, reason="LIMIT_EXCEEDED")
    error.metadata["limit"] = str(maximum)
    return error


def step_range(start: int | None, end: int | None) -> StepRange:
    """The inclusive step range of a request; INVALID_ARGUMENT when start > end."""
    if start is not None and end is not None and start > end:
        raise validation.invalid("start_step", f"{start} is greater than end_step {end}")
    return StepRange(start, end)


def max_points(value: int, maximum: int, field: str = "max_points") -> int:
    """A requested point budget, checked against MIN_MAX_POINTS..maximum."""
    if not MIN_MAX_POINTS <= value <= maximum:
        raise _limit(field, f"{value} is outside {MIN_MAX_POINTS}..{maximum}", maximum)
    return value


def _distinct(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


class MetricService:
    def __init__(
        self,
        store: TrackingStore,
        page_tokens: PageTokens,
        max_scanned_points: int = BULK_MAX_SCANNED_POINTS,
    ) -> None:
        self._store = store
        self._tokens = page_tokens
        self._max_scanned = max_scanned_points

    def log(self, run_id: str, metric: Metric, request_id: str = "") -> None:
        validation.run_id(run_id)
        validation.metric(metric)
        point = with_timestamps([metric])[0]
        args = [run_id, metric.key, repr(metric.value), metric.timestamp, metric.step]
        validation.request_id(request_id)
        claim: RequestClaim[None] | None = claim_for("LogMetric", request_id, args)
        result = self._store.log_metric(run_id, point, claim)
        if isinstance(result, Replayed):
            assert claim is not None, "only a claimed request id is replayed"
            replay(result.prior, claim.method, request_id, claim.fingerprint)
        elif isinstance(result, Refused):
            raise refusal_error(result.reason, run_id)

    def history(
        self, run_id: str, key: str, size: int, token: str, steps: StepRange = ALL_STEPS
    ) -> Page[Metric]:
        """One page of a series, in (step, timestamp, logging) order."""
        limit = page_size(size, HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX)
        points, next_token = self._page(
            run_id, key, limit, token, steps, lambda tx, page: tx.metrics.history(page)
        )
        return Page(points, next_token)

    def history_columns(
        self, run_id: str, key: str, size: int, token: str, steps: StepRange = ALL_STEPS
    ) -> tuple[HistoryColumns, str]:
        """The page of history() as columns, with larger pages; returns it and the next page
        token (empty on the last page). Tokens are interchangeable with history()'s."""
        limit = page_size(size, HISTORY_COLUMNS_PAGE_DEFAULT, HISTORY_COLUMNS_PAGE_MAX)
        return self._page(
            run_id, key, limit, token, steps, lambda tx, page: tx.metrics.history_columns(page)
        )

    def _page(
        self,
        run_id: str,
        key: str,
        limit: int,
        token: str,
        steps: StepRange,
        read: Callable[[StoreTransaction, HistoryPage], tuple[T, list[Any] | None]],
    ) -> tuple[T, str]:
        # Both layouts share validation, the token's digest (so tokens carry over) and the
        # run check; `read` fetches the page in its layout.
        validation.run_id(run_id)
        validation.key(key, "metric_key")
        digest = query_digest("history", run_id, key, steps.start, steps.end)
        cursor = self._tokens.decode(digest, token)
        with self._store.transaction(write=False) as tx:
            if tx.runs.get_info(run_id) is None:
                raise run_not_found(run_id)
            found, next_cursor = read(tx, HistoryPage(run_id, key, limit, cursor, steps))
        return found, self._tokens.encode(digest, next_cursor)

    def sampled_history(
        self, run_id: str, key: str, budget: int, token: str, steps: StepRange = ALL_STEPS
    ) -> MetricSeries:
        """A whole series in one answer, downsampled to at most `budget` points (exact when it
        has no more)."""
        validation.run_id(run_id)
        validation.key(key, "metric_key")
        max_points(budget, HISTORY_PAGE_MAX)
        if token:
            raise validation.invalid(
                "page_token", "must be empty with max_points: the series comes in one page"
            )

        series = self._store.series(run_id, key, Sampling(budget, steps))
        if series is None:
            raise run_not_found(run_id)
        return series

    def bulk_history(
        self,
        run_ids: Sequence[str],
        keys: Sequence[str],
        budget: int,
        steps: StepRange = ALL_STEPS,
    ) -> tuple[list[MetricSeries], int]:
        """The series of every (run, key) pair that has points, ordered as the run ids, then
        the keys, each downsampled to at most the returned point budget."""
        runs, metric_keys = self._check_bulk(run_ids, keys)
        budget = self._bulk_budget(budget, len(runs) * len(metric_keys))
        sampling = Sampling(budget, steps)
        batch = self._store.series_batch(runs, metric_keys, sampling, self._max_scanned)
        if batch.missing_run is not None:
            raise run_not_found(batch.missing_run)
        if batch.scanned > self._max_scanned:
            raise ResourceExhausted(
                f"these series hold {batch.scanned} points to downsample, more than the "
                f"{self._max_scanned} one call may read; ask for fewer runs or keys, or a "
                "narrower step range",
                reason="HISTORY_TOO_LARGE",
                metadata={"limit": str(self._max_scanned)},
            )
        return batch.series, budget

    @staticmethod
    def _check_bulk(run_ids: Sequence[str], keys: Sequence[str]) -> tuple[list[str], list[str]]:
        runs, metric_keys = _distinct(run_ids), _distinct(keys)
        for field, items, maximum in (
            ("run_ids", runs, BULK_MAX_RUNS),
            ("metric_keys", metric_keys, BULK_MAX_KEYS),
        ):
            if not items:
                raise validation.invalid(field, "name at least one")
            if len(items) > maximum:
                raise _limit(field, f"at most {maximum} per call, got {len(items)}", maximum)
        for i, run_id in enumerate(runs):
            validation.run_id(run_id, f"run_ids[{i}]")
        for i, key in enumerate(metric_keys):
            validation.key(key, f"metric_keys[{i}]")
        return runs, metric_keys

    @staticmethod
    def _bulk_budget(requested: int, series: int) -> int:
        if requested == 0:
            # The default shrinks with the number of series so that any valid request works.
            fair = BULK_MAX_TOTAL_POINTS // series
            return max(MIN_MAX_POINTS, min(BULK_DEFAULT_POINTS, fair))
        max_points(requested, BULK_MAX_POINTS)
        if requested * series > BULK_MAX_TOTAL_POINTS:
            raise _limit(
                "max_points",
                f"{series} series of up to {requested} points exceed the {BULK_MAX_TOTAL_POINTS} "
                f"points of one response; use max_points <= {BULK_MAX_TOTAL_POINTS // series}",
                BULK_MAX_TOTAL_POINTS,
            )
        return requested
