"""Where the server's time goes on the benchmark's main reads: database versus Python.

    .venv/bin/python bench/profile_reads.py postgresql://trackd:trackd@127.0.0.1:5432/bench_trackd_10000

Runs on a database that `make bench BENCH_ARGS="--keep-databases ..."` left behind. Calls the
gRPC servicers in-process (request parsing, service, store, response serialisation: what a
server process does for one call, without the network) and times the SQL statements through
SQLAlchemy's engine events; prints medians in milliseconds for the filtered search, one page
of 1000 runs in the default order and the 100k-point series downsampled to 1000 points.
`docs/benchmarks.md` ("Known bottlenecks") quotes its output.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from dataset import (
    PAGE_SIZE,
    SEARCH_EXPERIMENT,
    SEARCH_FILTER,
    SEARCH_ORDER,
    SEARCH_RESULTS,
)
from trackd.v1 import metric_service_pb2, run_service_pb2
from trackd_server.api.metrics import COLUMNS, MetricServicer
from trackd_server.api.runs import RunServicer
from trackd_server.runtime import settle_heap
from trackd_server.service.tracking import build_services
from trackd_server.store.sql.store import SqlStore
from workload import SERIES_KEY


class StatementClock:
    """Sums the time spent inside the driver's execute calls since the last reset."""

    def __init__(self, engine: sa.Engine) -> None:
        self.seconds = 0.0
        self.statements = 0
        self._started = 0.0
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, *_: Any) -> None:
        self.seconds += time.perf_counter() - self._started
        self.statements += 1

    def reset(self) -> None:
        self.seconds, self.statements = 0.0, 0


def profile(name: str, call: Callable[[], bytes], clock: StatementClock, calls: int) -> None:
    total, sql = [], []
    statements = 0
    for _ in range(calls):
        clock.reset()
        started = time.perf_counter()
        call()
        total.append(time.perf_counter() - started)
        sql.append(clock.seconds)
        statements = clock.statements
    rest = [t - s for t, s in zip(total, sql, strict=True)]
    print(
        f"{name:<22} server {statistics.median(total) * 1e3:7.2f} ms  "
        f"SQL {statistics.median(sql) * 1e3:7.2f} ms in {statements} statement(s)  "
        f"Python {statistics.median(rest) * 1e3:7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database", help="URL of a benchmark database of trackd")
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    store = SqlStore(args.database, pool_size=2, max_overflow=0)
    services = build_services(store, "/nonexistent-artifact-root")
    runs, metrics = RunServicer(services.runs), MetricServicer(services.metrics)
    experiment_id = services.experiments.get_by_name(SEARCH_EXPERIMENT).experiment_id
    with store.engine.connect() as conn:
        series_run = conn.execute(
            sa.text("SELECT run_id FROM latest_metrics WHERE key = :k LIMIT 1"), {"k": SERIES_KEY}
        ).scalar_one()
    search = run_service_pb2.SearchRunsRequest(
        experiment_ids=[experiment_id],
        filter=SEARCH_FILTER,
        order_by=list(SEARCH_ORDER),
        page_size=SEARCH_RESULTS,
    ).SerializeToString()
    page = run_service_pb2.SearchRunsRequest(
        experiment_ids=[experiment_id], page_size=PAGE_SIZE
    ).SerializeToString()
    sampled = metric_service_pb2.GetMetricHistoryRequest(
        run_id=series_run, metric_key=SERIES_KEY, max_points=1000, layout=COLUMNS
    ).SerializeToString()
    reads: dict[str, Callable[[], bytes]] = {
        "filtered search": lambda: runs.SearchRuns(
            run_service_pb2.SearchRunsRequest.FromString(search), None
        ).SerializeToString(),
        "page of 1000 runs": lambda: runs.SearchRuns(
            run_service_pb2.SearchRunsRequest.FromString(page), None
        ).SerializeToString(),
        "downsampled history": lambda: metrics.GetMetricHistory(
            metric_service_pb2.GetMetricHistoryRequest.FromString(sampled), None
        ).SerializeToString(),
    }
    clock = StatementClock(store.engine)
    for read in reads.values():  # warm: statement cache, prepared statements, summaries
        for _ in range(5):
            read()
    settle_heap()  # as a server process does after start-up
    for name, read in reads.items():
        profile(name, read, clock, args.calls if "1000 runs" not in name else args.calls // 10)
    store.dispose()


if __name__ == "__main__":
    main()
