"""Fixtures for export tests: an experiment with known runs on the session's real servers
(SQLite and PostgreSQL), and running `trackd runs export` as a real process."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import trackd

from tests.support.servers import trackd_command


@dataclass
class Exported:
    experiment: str
    run_ids: list[str]  # in start-time order


@pytest.fixture()
def known_runs(client: trackd.TrackingClient, unique_name: str) -> Exported:
    """Three runs: different params and metrics (one NaN, one missing), system tags, states."""
    experiment_id = client.create_experiment(unique_name)
    runs = []
    specs = [
        ("alpha", {"lr": "0.1", "opt": "adam"}, {"loss": 0.5, "acc": 0.75}, "FINISHED"),
        ('beta, "quoted"', {"lr": "0.01"}, {"loss": float("nan")}, "FAILED"),
        ("gamma", {"opt": "sgd", "batch": "64"}, {"acc": 1.0, "f1": float("inf")}, None),
    ]
    for n, (name, params, metrics, status) in enumerate(specs):
        run = client.create_run(
            experiment_id,
            run_name=name,
            start_time=1_700_000_000_000 + n,
            tags={"mlflow.source.type": "LOCAL", "mlflow.source.name": f"train{n}.py", "team": "x"},
        )
        run_id = run.info.run_id
        client.log_batch(
            run_id,
            metrics=[trackd.Metric(k, v, 1000, 0) for k, v in metrics.items()],
            params=[trackd.Param(k, v) for k, v in params.items()],
        )
        if status:
            client.set_terminated(run_id, status, end_time=1_700_000_100_000 + n)
        runs.append(run_id)
    return Exported(unique_name, runs)


def run_export(
    tracking_uri: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`trackd runs export ...` as a separate process; returns its exit status and output."""
    return subprocess.run(
        [*trackd_command(), "runs", "export", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {}), "TRACKD_TRACKING_URI": tracking_uri},
        check=False,
    )


def output_path(tmp_path: Path, name: str) -> str:
    return str(tmp_path / name)
