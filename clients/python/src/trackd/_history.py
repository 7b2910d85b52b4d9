"""The metric-history methods of `TrackingClient`: every point page by page, or the series
downsampled by the server, one run or many at once."""

from __future__ import annotations

from collections.abc import Iterable

from trackd import _convert
from trackd._transport import Transport
from trackd.entities import Metric, MetricSeries
from trackd.v1 import metric_service_pb2 as metric_pb

# The server's largest history page.
MAX_HISTORY_PAGE_SIZE = 25000


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
        """
        points: list[Metric] = []
        token = ""
        while True:
            request = metric_pb.GetMetricHistoryRequest(
                run_id=run_id,
                metric_key=key,
                page_size=0 if max_points else MAX_HISTORY_PAGE_SIZE,
                page_token=token,
                max_points=max_points or 0,
                start_step=start_step,
                end_step=end_step,
            )
            reply = self._transport.call(lambda s: s.metrics.GetMetricHistory, request)
            points.extend(_convert.metric_from_proto(m) for m in reply.metrics)
            token = reply.next_page_token
            if not token:
                return points

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
        )
        reply = self._transport.call(lambda s: s.metrics.GetMetricHistoryBulk, request)
        return [
            MetricSeries(
                run_id=series.run_id,
                key=series.metric_key,
                points=[
                    Metric(series.metric_key, p.value, p.timestamp, p.step) for p in series.points
                ],
                total_points=series.total_points,
                downsampled=series.downsampled,
            )
            for series in reply.series
        ]
