"""Times the metric write path and history reads through the Python client (a benchmark, not a
test).

    .venv/bin/python bench/history_client.py [--points 100000] [--backend postgresql]

Creates a throw-away database (PostgreSQL from TRACKD_TEST_PG_URL, or SQLite), starts
`trackd server --workers 2` (as `make bench` does) and prints medians of:

* log_batch of 1000 points (the series is logged this way, steps 0..points-1);
* the full history and the history downsampled to 1000 points, through every public client
  call that returns it (rows: `get_metric_history`; columns: `get_metric_history_columns`
  when the client has it), after warm-up reads;
* single log_metric round trips appended to the same (summarised) series, and logged out of
  order (a step inside the series, which invalidates summaries when there are any).
"""

from __future__ import annotations

import math
import os
import statistics
import time
import uuid
from collections.abc import Callable

import trackd
from history_support import median_ms, perf_arguments, throwaway_server


def _measure(client: trackd.TrackingClient, points: int, repeat: int) -> None:
    experiment = client.create_experiment(f"perf-{uuid.uuid4().hex[:8]}")
    run_id = client.create_run(experiment).info.run_id
    batch_ms = []
    for start in range(0, points, 1000):
        metrics = [
            trackd.Metric("loss", math.sin(i / 1000), 1_700_000_000_000 + i, i)
            for i in range(start, min(points, start + 1000))
        ]
        began = time.perf_counter()
        client.log_batch(run_id, metrics=metrics)
        batch_ms.append((time.perf_counter() - began) * 1000)
    print(f"  log_batch, 1000 points:                   {statistics.median(batch_ms):8.2f} ms")

    reads: dict[str, Callable[[], object]] = {
        "get_metric_history, full": lambda: client.get_metric_history(run_id, "loss"),
        "get_metric_history, max_points=1000": lambda: client.get_metric_history(
            run_id, "loss", max_points=1000
        ),
    }
    columns = getattr(client, "get_metric_history_columns", None)
    if columns is not None:
        reads["get_metric_history_columns, full"] = lambda: columns(run_id, "loss")
        reads["get_metric_history_columns, max_points=1000"] = lambda: columns(
            run_id, "loss", max_points=1000
        )
    for name, read in reads.items():
        sampled = "max_points" in name
        ms = median_ms(read, repeat * 3 if sampled else repeat, warmup=3 if sampled else 1)
        print(f"  {name + ':':42s}{ms:8.2f} ms")

    step = iter(range(points, points + 10 * repeat + 100))
    ms = median_ms(
        lambda: client.log_metric(run_id, "loss", 0.5, step=next(step)), repeat * 10, warmup=1
    )
    print(f"  log_metric, appended:                     {ms:8.2f} ms")
    inside = iter(range(10, points, max(1, points // (10 * repeat + 10))))
    ms = median_ms(
        lambda: client.log_metric(run_id, "loss", 0.5, step=next(inside)), repeat * 10, warmup=1
    )
    print(f"  log_metric, out of order:                 {ms:8.2f} ms")


def main() -> None:
    parser = perf_arguments()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with throwaway_server(args.backend, workers=args.workers) as server:
        print(f"{args.backend}, {args.points} points, load {os.getloadavg()[0]:.1f}")
        with trackd.TrackingClient(server.uri) as client:
            _measure(client, args.points, args.repeat)


if __name__ == "__main__":
    main()
