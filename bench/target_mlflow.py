"""The workload's operations through MLflow's own Python client (imports mlflow only)."""

from __future__ import annotations

from typing import Any

import mlflow
import mlflow.artifacts
from dataset import RunSpec
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
from mlflow.utils.rest_utils import http_request, verify_rest_response

# MLflow's closest equivalent of a server-side downsampled history: sampled by step.
BULK_INTERVAL_ENDPOINT = "/api/2.0/mlflow/metrics/get-history-bulk-interval"


class MlflowTarget:
    """`MlflowClient` and the `mlflow` fluent API against one MLflow tracking server."""

    name = "mlflow"

    def __init__(self, uri: str) -> None:
        self.uri = uri
        mlflow.set_tracking_uri(uri)
        self.client = MlflowClient(uri)

    def experiment_id(self, name: str, create: bool) -> str:
        found = self.client.get_experiment_by_name(name)
        if found is not None:
            return str(found.experiment_id)
        if not create:
            raise LookupError(f"experiment {name!r} does not exist")
        return str(self.client.create_experiment(name))

    def create_run(self, experiment_id: str) -> str:
        return str(self.client.create_run(experiment_id).info.run_id)

    def load_run(self, experiment_id: str, spec: RunSpec) -> None:
        """Writes one searched run the way an application would: create, then one batch."""
        run = self.client.create_run(experiment_id, start_time=spec.start_time, run_name=spec.name)
        self.client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, v, spec.start_time, 0) for k, v in spec.metrics.items()],
            params=[Param(k, v) for k, v in spec.params.items()],
            tags=[RunTag(k, v) for k, v in spec.tags.items()],
        )

    def log_metric(self, run_id: str, key: str, value: float, step: int) -> None:
        self.client.log_metric(run_id, key, value, step=step)

    def log_batch_metrics(self, run_id: str, points: list[tuple[str, float, int, int]]) -> None:
        self.client.log_batch(run_id, metrics=[Metric(k, v, ts, s) for k, v, ts, s in points])

    def training_loop(self, experiment_id: str, steps: int) -> None:
        with mlflow.start_run(experiment_id=experiment_id):
            for step in range(steps):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)

    def training_loop_async(self, experiment_id: str, steps: int) -> None:
        # MLflow's asynchronous logging; the run's end waits for the queue to drain.
        with mlflow.start_run(experiment_id=experiment_id):
            for step in range(steps):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step, synchronous=False)
            mlflow.flush_async_logging()

    def search_page(
        self,
        experiment_id: str,
        filter_string: str,
        order_by: list[str],
        max_results: int,
        page_token: str | None,
    ) -> tuple[list[str], str | None]:
        page = self.client.search_runs(
            [experiment_id],
            filter_string,
            max_results=max_results,
            order_by=order_by,
            page_token=page_token,
        )
        return [r.info.run_name for r in page], page.token

    def history(self, run_id: str, key: str) -> int:
        return len(self.client.get_metric_history(run_id, key))

    def sampled_history(self, run_id: str, key: str, max_points: int) -> int:
        """MLflow's get-history-bulk-interval for one run: up to max_points points sampled by
        step (MlflowClient has no method for it; MLflow's own REST helper sends it)."""
        store: Any = self.client._tracking_client.store
        response = http_request(
            host_creds=store.get_host_creds(),
            endpoint=BULK_INTERVAL_ENDPOINT,
            method="GET",
            params={"run_ids": [run_id], "metric_key": key, "max_results": max_points},
        )
        verify_rest_response(response, BULK_INTERVAL_ENDPOINT)
        return len(response.json().get("metrics", []))

    def log_artifact(self, run_id: str, local_path: str, artifact_path: str) -> None:
        """`MlflowClient.log_artifact`: through the server's artifact proxy (--serve-artifacts)."""
        self.client.log_artifact(run_id, local_path, artifact_path)

    def download_artifact(self, run_id: str, artifact_path: str, dst_dir: str) -> str:
        """`mlflow.artifacts.download_artifacts` of one file of the run; the local path."""
        return str(
            mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=artifact_path, dst_path=dst_dir, tracking_uri=self.uri
            )
        )

    def close(self) -> None:
        """MlflowClient keeps no connection that needs closing."""
