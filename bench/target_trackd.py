"""The workload's operations through trackd's own Python client (imports trackd only)."""

from __future__ import annotations

import trackd
from dataset import RunSpec
from trackd import Metric, TrackingClient


class TrackdTarget:
    """trackd's `TrackingClient` and fluent API against one server."""

    name = "trackd"

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.client = TrackingClient(uri)
        trackd.set_tracking_uri(uri)

    def experiment_id(self, name: str, create: bool) -> str:
        found = self.client.get_experiment_by_name(name)
        if found is not None:
            return found.experiment_id
        if not create:
            raise LookupError(f"experiment {name!r} does not exist")
        return self.client.create_experiment(name)

    def create_run(self, experiment_id: str) -> str:
        return self.client.create_run(experiment_id).info.run_id

    def load_run(self, experiment_id: str, spec: RunSpec) -> None:
        """Writes one searched run the way an application would: create, then one batch."""
        run = self.client.create_run(experiment_id, start_time=spec.start_time, run_name=spec.name)
        self.client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, v, spec.start_time, 0) for k, v in spec.metrics.items()],
            params=spec.params,
            tags=spec.tags,
        )

    def log_metric(self, run_id: str, key: str, value: float, step: int) -> None:
        self.client.log_metric(run_id, key, value, step=step)

    def log_batch_metrics(self, run_id: str, points: list[tuple[str, float, int, int]]) -> None:
        self.client.log_batch(run_id, metrics=[Metric(k, v, ts, s) for k, v, ts, s in points])

    def training_loop(self, experiment_id: str, steps: int) -> None:
        with trackd.start_run(experiment_id=experiment_id):
            for step in range(steps):
                trackd.log_metric("loss", 1.0 / (step + 1), step=step)

    def training_loop_async(self, experiment_id: str, steps: int) -> None:
        # end_run (leaving the block) sends what is still queued before it ends the run.
        with trackd.start_run(experiment_id=experiment_id):
            for step in range(steps):
                trackd.log_metric("loss", 1.0 / (step + 1), step=step, synchronous=False)

    def search_page(
        self,
        experiment_id: str,
        filter_string: str,
        order_by: list[str],
        max_results: int,
        page_token: str | None,
    ) -> tuple[list[str], str | None]:
        page = self.client.search_runs_page(
            [experiment_id],
            filter_string,
            max_results=max_results,
            order_by=order_by,
            page_token=page_token,
        )
        return [r.info.run_name for r in page], page.token

    def history(self, run_id: str, key: str) -> int:
        """`get_metric_history_columns`: every point as three lists (packed arrays on the wire,
        pages of up to 100000 points), the client's fastest full read."""
        return len(self.client.get_metric_history_columns(run_id, key))

    def history_objects(self, run_id: str, key: str) -> int:
        """`get_metric_history`: every point as a `Metric`, the call MLflow's users know."""
        return len(self.client.get_metric_history(run_id, key))

    def sampled_history(self, run_id: str, key: str, max_points: int) -> int:
        """`get_metric_history_columns` with max_points: the series downsampled in the server
        (from its block summaries), as three lists."""
        return len(self.client.get_metric_history_columns(run_id, key, max_points=max_points))

    def log_artifact(self, run_id: str, local_path: str, artifact_path: str) -> None:
        """`TrackingClient.log_artifact`: streamed over gRPC in 4 MiB chunks, the SHA-256 sent
        after the data and checked by the server before the file becomes visible."""
        self.client.log_artifact(run_id, local_path, artifact_path)

    def download_artifact(self, run_id: str, artifact_path: str, dst_dir: str) -> str:
        """`TrackingClient.download_artifacts` of one file; returns the local path."""
        return self.client.download_artifacts(run_id, artifact_path, dst_dir)

    def close(self) -> None:
        self.client.close()
