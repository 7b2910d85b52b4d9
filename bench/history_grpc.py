"""Times metric-history reads against a real server (a benchmark, not a test).

    .venv/bin/python bench/history_grpc.py [--points 100000] [--backend postgresql]

Creates a throw-away database (PostgreSQL from TRACKD_TEST_PG_URL, or SQLite), starts a
server, logs one series and prints the median wall time, seen by a gRPC client, of reading it
whole (pages of 25000, summed) and downsampled to 1000 points.
"""

from __future__ import annotations

import math
import os
import uuid

import grpc
from history_support import median_ms, perf_arguments, throwaway_server
from trackd.v1 import (
    experiment_service_pb2,
    experiment_service_pb2_grpc,
    metric_service_pb2,
    metric_service_pb2_grpc,
    run_pb2,
    run_service_pb2,
    run_service_pb2_grpc,
)


def _log(channel: grpc.Channel, points: int) -> str:
    experiments = experiment_service_pb2_grpc.ExperimentServiceStub(channel)
    runs = run_service_pb2_grpc.RunServiceStub(channel)
    experiment = experiments.CreateExperiment(
        experiment_service_pb2.CreateExperimentRequest(name=f"perf-{uuid.uuid4().hex[:8]}")
    ).experiment.experiment_id
    run_id = runs.CreateRun(
        run_service_pb2.CreateRunRequest(experiment_id=experiment)
    ).run.info.run_id
    for start in range(0, points, 1000):
        metrics = [
            run_pb2.Metric(key="loss", value=math.sin(i / 1000), timestamp=1 + i, step=i)
            for i in range(start, min(points, start + 1000))
        ]
        runs.LogBatch(run_service_pb2.LogBatchRequest(run_id=run_id, metrics=metrics))
    return run_id


def main() -> None:
    parser = perf_arguments()
    parser.add_argument("--keep", action="store_true", help="keep the database and print its URL")
    args = parser.parse_args()
    with (
        throwaway_server(args.backend, keep=args.keep) as server,
        grpc.insecure_channel(
            server.uri.removeprefix("grpc://"),
            options=[("grpc.max_receive_message_length", 1 << 26)],
        ) as channel,
    ):
        run_id = _log(channel, args.points)
        metrics = metric_service_pb2_grpc.MetricServiceStub(channel)

        def full() -> None:
            token = ""
            while True:
                reply = metrics.GetMetricHistory(
                    metric_service_pb2.GetMetricHistoryRequest(
                        run_id=run_id, metric_key="loss", page_size=25000, page_token=token
                    )
                )
                token = reply.next_page_token
                if not token:
                    return

        def sampled() -> None:
            metrics.GetMetricHistory(
                metric_service_pb2.GetMetricHistoryRequest(
                    run_id=run_id, metric_key="loss", max_points=1000
                )
            )

        full()  # warm caches and connections
        sampled()
        print(f"{args.backend}, {args.points} points, load {os.getloadavg()[0]:.1f}")
        print(f"  full history (pages of 25000): {median_ms(full, args.repeat):8.1f} ms")
        print(f"  downsampled to 1000 points:    {median_ms(sampled, args.repeat):8.1f} ms")


if __name__ == "__main__":
    main()
