"""Metrics: logging single points and reading a series' history."""

from __future__ import annotations

from ..domain.entities import Metric, Page
from ..store.protocol import StoreTransaction, TrackingStore
from . import validation
from .idempotency import no_result, run_once
from .pagination import PageTokens, page_size, query_digest
from .runs import run_not_found, with_timestamps, writable_run

HISTORY_PAGE_DEFAULT = 10_000
HISTORY_PAGE_MAX = 25_000


class MetricService:
    def __init__(self, store: TrackingStore, page_tokens: PageTokens) -> None:
        self._store = store
        self._tokens = page_tokens

    def log(self, run_id: str, metric: Metric, request_id: str = "") -> None:
        validation.run_id(run_id)
        validation.metric(metric)
        points = with_timestamps([metric])

        def work(tx: StoreTransaction) -> None:
            writable_run(tx, run_id)
            tx.metrics.append(run_id, points)

        args = [run_id, metric.key, repr(metric.value), metric.timestamp, metric.step]
        run_once(self._store, "LogMetric", request_id, args, work, no_result, no_result)

    def history(self, run_id: str, key: str, size: int, token: str) -> Page[Metric]:
        validation.run_id(run_id)
        validation.key(key, "metric_key")
        limit = page_size(size, HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX)
        digest = query_digest("history", run_id, key)
        cursor = self._tokens.decode(digest, token)
        with self._store.transaction(write=False) as tx:
            if tx.runs.get_info(run_id) is None:
                raise run_not_found(run_id)
            points, next_cursor = tx.metrics.history(run_id, key, limit, cursor)
        return Page(points, self._tokens.encode(digest, next_cursor))
