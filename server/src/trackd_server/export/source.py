"""Reading the runs to export from a trackd server, page by page, over gRPC.

Exports talk to a server like any other client (they never open its database), through the
Python client's transport: the same URIs, deadlines, retries and typed errors. Each page asks
only for what an export writes (a read mask), so wide runs cost no more than their columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from trackd._transport import Transport
from trackd.exceptions import NotFoundError
from trackd.v1 import experiment_service_pb2, run_pb2, run_service_pb2

SOURCE_TYPE_TAG = "mlflow.source.type"
SOURCE_NAME_TAG = "mlflow.source.name"
USER_TAG = "mlflow.user"
# The most runs a search page may hold: fewer round trips for big exports.
PAGE_SIZE = 1000


@dataclass
class Columns:
    """The param and metric keys of the exported runs, in sorted order, and how many runs
    there are (known after a first pass)."""

    params: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    runs: int = 0


class RunSource:
    """The runs of one experiment that match a filter, read from a trackd server."""

    def __init__(self, transport: Transport, experiment: str, filter_text: str = "") -> None:
        self._transport = transport
        self._filter = filter_text
        self.experiment_id = self._experiment_id(experiment)

    def _experiment_id(self, name: str) -> str:
        request = experiment_service_pb2.GetExperimentByNameRequest(name=name)
        try:
            reply = self._transport.call(lambda s: s.experiments.GetExperimentByName, request)
        except NotFoundError:
            raise NotFoundError(
                f"no experiment named {name!r} on {self._transport.tracking_uri}",
                reason="EXPERIMENT_NOT_FOUND",
            ) from None
        return str(reply.experiment.experiment_id)

    def pages(self, mask: run_service_pb2.RunReadMask) -> Iterator[list[run_pb2.Run]]:
        """The matching runs a page at a time, oldest first (the run id breaks ties), so that
        runs started during the export come last rather than shifting earlier pages."""
        token = ""
        while True:
            request = run_service_pb2.SearchRunsRequest(
                experiment_ids=[self.experiment_id],
                filter=self._filter,
                order_by=["attributes.start_time ASC"],
                page_size=PAGE_SIZE,
                page_token=token,
                read_mask=mask,
            )
            reply = self._transport.call(lambda s: s.runs.SearchRuns, request)
            yield list(reply.runs)
            token = reply.next_page_token
            if not token:
                return

    def columns(self) -> Columns:
        """A first pass over the runs for their param and metric keys (memory bounded by the
        number of distinct keys, not of runs)."""
        params: set[str] = set()
        metrics: set[str] = set()
        count = 0
        keys_only = run_service_pb2.RunReadMask(all_params=True, all_metrics=True)
        for page in self.pages(keys_only):
            count += len(page)
            for run in page:
                params.update(p.key for p in run.data.params)
                metrics.update(m.key for m in run.data.metrics)
        return Columns(sorted(params), sorted(metrics), count)


def export_mask() -> run_service_pb2.RunReadMask:
    """What an exported row needs: every param and metric, and three system tags."""
    return run_service_pb2.RunReadMask(
        all_params=True,
        all_metrics=True,
        tag_keys=[SOURCE_TYPE_TAG, SOURCE_NAME_TAG, USER_TAG],
    )
