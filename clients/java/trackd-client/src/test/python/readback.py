"""Reads a run back with the generated Python stubs and prints it as JSON, for the Java tests.

Usage: readback.py TRACKING_URI RUN_ID. The output holds the run's info, params, tags, latest
metrics and the full history of every metric. Doubles are printed as strings (float.hex, or
NaN / Infinity / -Infinity) so that they survive JSON exactly and Java can parse them with
Double.parseDouble.
"""

from __future__ import annotations

import json
import math
import sys

import grpc
from trackd.v1 import (
    metric_service_pb2,
    metric_service_pb2_grpc,
    run_pb2,
    run_service_pb2,
    run_service_pb2_grpc,
)


def exact(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value.hex()


def metric(m: run_pb2.Metric) -> dict[str, object]:
    return {"key": m.key, "value": exact(m.value), "timestamp": m.timestamp, "step": m.step}


def history(stub: metric_service_pb2_grpc.MetricServiceStub, run_id: str, key: str) -> list:
    points: list[dict[str, object]] = []
    token = ""
    while True:
        reply = stub.GetMetricHistory(
            metric_service_pb2.GetMetricHistoryRequest(
                run_id=run_id, metric_key=key, page_token=token
            ),
            timeout=60,
        )
        points.extend(metric(m) for m in reply.metrics)
        token = reply.next_page_token
        if not token:
            return points


def main(uri: str, run_id: str) -> None:
    target = uri.removeprefix("grpc://")
    with grpc.insecure_channel(target) as channel:
        run = (
            run_service_pb2_grpc.RunServiceStub(channel)
            .GetRun(run_service_pb2.GetRunRequest(run_id=run_id), timeout=60)
            .run
        )
        metrics_stub = metric_service_pb2_grpc.MetricServiceStub(channel)
        out = {
            "run_id": run.info.run_id,
            "run_name": run.info.run_name,
            "experiment_id": run.info.experiment_id,
            "status": run_pb2.RunStatus.Name(run.info.status),
            "params": {p.key: p.value for p in run.data.params},
            "tags": {t.key: t.value for t in run.data.tags},
            "metrics": {m.key: metric(m) for m in run.data.metrics},
            "history": {m.key: history(metrics_stub, run_id, m.key) for m in run.data.metrics},
        }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
