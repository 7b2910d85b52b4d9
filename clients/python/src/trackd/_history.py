"""The metric-history methods of `TrackingClient`: every point page by page, or the series
downsampled by the server, one run or many at once.

They ask for the COLUMNS layout: three packed arrays per page instead of a message per point,
which the protobuf runtime parses in C. An older server ignores the layout and answers with
rows, which are read as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from typing import Any

from trackd._transport import Transport
from trackd.entities import Metric, MetricColumns, MetricSeries
from trackd.v1 import metric_service_pb2 as metric_pb

# The server's largest history page with rows; with columns page_size 0 asks for its default,
# which is also its largest (100000).
MAX_HISTORY_PAGE_SIZE = 25000
_COLUMNS = metric_pb.HISTORY_LAYOUT_COLUMNS


def _append_page(reply: Any, steps: list[int], timestamps: list[int], values: list[float]) -> None:
    """Appends the points of one history answer (columns, or rows from an older server)."""
    if reply.HasField("columns"):
        columns = reply.columns
        steps.extend(columns.steps)
        timestamps.extend(columns.timestamps)
        values.extend(columns.values)
        return
    rows = reply.metrics if hasattr(reply, "metrics") else reply.points
    steps.extend(m.step for m in rows)
    timestamps.extend(m.timestamp for m in rows)
    values.extend(m.value for m in rows)


class HistoryMethods:
    """Mixed into `TrackingClient`."""

    _transport: Transport

    def get_metric_history(
        self,
        run_id: str,
        key: str,
        max_points: int | None = None,
        start_step: int | None = None,
        end_step: int | None = None,
    ) -> list[Metric]:
        """The points of one metric, ordered by step, then timestamp, then logging order.

        Args:
            max_points: None for every point (read page by page); else the series downsampled
                by the server to at most this many points (4..25000), keeping the first, last,
                minimum and maximum point of each bucket, in one call.
            start_step, end_step: only points within this inclusive step range.

        For long series `get_metric_history_columns` is several times faster: most of this
        call's time goes into making one `Metric` object per point.
        """
        return self.get_metric_history_columns(
            run_id, key, max_points=max_points, start_step=start_step, end_step=end_step
        ).to_metrics()

    def get_metric_history_columns(
        self,
        run_id: str,
        key: str,
        max_points: int | None = None,
        start_step: int | None = None,
        end_step: int | None = None,
    ) -> MetricColumns:
        """The points of one metric as three parallel lists (steps, timestamps, values), in
        the order of `get_metric_history`, which takes the same arguments.

        The fastest way to read a long series: the server sends packed arrays (pages of up to
        100000 points) and no object is made per point on either side.
        """
        steps: list[int] = []
        timestamps: list[int] = []
        values: list[float] = []
        token = ""
        while True:
            request = metric_pb.GetMetricHistoryRequest(
                run_id=run_id,
                metric_key=key,
                page_token=token,
                max_points=max_points or 0,
                start_step=start_step,
                end_step=end_step,
                layout=_COLUMNS,
            )
            reply = self._transport.call(lambda s: s.metrics.GetMetricHistory, request)
            _append_page(reply, steps, timestamps, values)
            token = reply.next_page_token
            if not token:
                break
        total = reply.total_points if max_points else len(steps)
        return MetricColumns(key, steps, timestamps, values, total, reply.downsampled)

    def get_metric_history_bulk(
        self,
        run_ids: Iterable[str],
        keys: Iterable[str],
        max_points: int | None = None,
        start_step: int | None = None,
        end_step: int | None = None,
    ) -> list[MetricSeries]:
        """The downsampled histories of several metrics of several runs in one call (at most
        100 runs and 100 keys; None for max_points means the server's default of 1000 points
        per series, lowered so the whole answer stays within 100000 points). Series without a
        point in the step range are left out."""
        request = metric_pb.GetMetricHistoryBulkRequest(
            run_ids=list(run_ids),
            metric_keys=list(keys),
            max_points=max_points or 0,
            start_step=start_step,
            end_step=end_step,
            layout=_COLUMNS,
        )
        reply = self._transport.call(lambda s: s.metrics.GetMetricHistoryBulk, request)
        found = []
        for series in reply.series:
            steps: list[int] = []
            timestamps: list[int] = []
            values: list[float] = []
            _append_page(series, steps, timestamps, values)
            found.append(
                MetricSeries(
                    run_id=series.run_id,
                    key=series.metric_key,
                    points=list(map(Metric, repeat(series.metric_key), values, timestamps, steps)),
                    total_points=series.total_points,
                    downsampled=series.downsampled,
                )
            )
        return found
