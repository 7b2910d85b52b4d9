"""Reading the runs to export from a trackd server, through the public `TrackingClient`.

Exports talk to a server like any other client (they never open its database), and only
through `TrackingClient.search_runs`: the same URIs, deadlines, retries and typed errors as
user code. Each page asks only for what an export writes (key selections, sent as a read
mask), so wide runs cost no more than their columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from trackd.client import TrackingClient
from trackd.entities import Run
from trackd.exceptions import NotFoundError

SOURCE_TYPE_TAG = "mlflow.source.type"
SOURCE_NAME_TAG = "mlflow.source.name"
USER_TAG = "mlflow.user"
EXPORTED_TAGS = (SOURCE_TYPE_TAG, SOURCE_NAME_TAG, USER_TAG)
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

    def __init__(self, client: TrackingClient, experiment: str, filter_text: str = "") -> None:
        self._client = client
        self._filter = filter_text
        found = client.get_experiment_by_name(experiment)
        if found is None:
            raise NotFoundError(
                f"no experiment named {experiment!r} on {client.tracking_uri}",
                reason="EXPERIMENT_NOT_FOUND",
            )
        self.experiment_id = found.experiment_id

    def runs(self, tag_keys: tuple[str, ...] = EXPORTED_TAGS) -> Iterator[Run]:
        """The matching runs with every param and metric and the tags `tag_keys`, oldest
        first (the run id breaks ties), so that runs started during the export come last
        rather than shifting earlier pages."""
        return self._client.search_runs(
            [self.experiment_id],
            filter_string=self._filter,
            order_by=["attributes.start_time ASC"],
            page_size=PAGE_SIZE,
            tag_keys=list(tag_keys),
        )

    def columns(self) -> Columns:
        """A first pass over the runs for their param and metric keys (memory bounded by the
        number of distinct keys, not of runs)."""
        params: set[str] = set()
        metrics: set[str] = set()
        count = 0
        for run in self.runs(tag_keys=()):
            count += 1
            params.update(run.data.params)
            metrics.update(run.data.metrics)
        return Columns(sorted(params), sorted(metrics), count)
