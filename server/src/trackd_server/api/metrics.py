"""gRPC servicer of trackd.v1.MetricService: proto in, service call, proto out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trackd.v1 import metric_service_pb2 as pb
from trackd.v1 import metric_service_pb2_grpc

from ..domain.entities import Metric
from ..service.metrics import MetricService, step_range
from ..store.protocol import HistoryColumns, StepRange

COLUMNS = pb.HISTORY_LAYOUT_COLUMNS


def _add_points(target: Any, points: Sequence[Metric], with_key: bool = True) -> None:
    # Adding in place is several times faster than building Metric messages and copying them
    # in, which matters at 25000 points per page.
    add = target.add
    for m in points:
        if with_key:
            add(key=m.key, value=m.value, timestamp=m.timestamp, step=m.step)
        else:
            add(value=m.value, timestamp=m.timestamp, step=m.step)


def _set_columns(target: pb.MetricColumns, columns: HistoryColumns) -> None:
    # Marked present even when empty: a client can tell this answer from an older server's,
    # which ignores the layout and answers with rows.
    target.SetInParent()
    target.steps.extend(columns.steps)
    target.timestamps.extend(columns.timestamps)
    target.values.extend(columns.values)


def _columns_of(points: Sequence[Metric]) -> HistoryColumns:
    return HistoryColumns(
        [m.step for m in points], [m.timestamp for m in points], [m.value for m in points]
    )


def _steps(request: pb.GetMetricHistoryRequest | pb.GetMetricHistoryBulkRequest) -> StepRange:
    return step_range(
        request.start_step if request.HasField("start_step") else None,
        request.end_step if request.HasField("end_step") else None,
    )


class MetricServicer(metric_service_pb2_grpc.MetricServiceServicer):
    def __init__(self, metrics: MetricService) -> None:
        self._metrics = metrics

    def LogMetric(self, request: pb.LogMetricRequest, context: Any) -> pb.LogMetricResponse:
        self._metrics.log(
            request.run_id,
            Metric(request.key, request.value, request.timestamp, request.step),
            request.request_id,
        )
        return pb.LogMetricResponse()

    def GetMetricHistory(
        self, request: pb.GetMetricHistoryRequest, context: Any
    ) -> pb.GetMetricHistoryResponse:
        if request.max_points:
            series = self._metrics.sampled_history(
                request.run_id,
                request.metric_key,
                request.max_points,
                request.page_token,
                _steps(request),
            )
            reply = pb.GetMetricHistoryResponse(
                total_points=series.total, downsampled=series.downsampled
            )
            if request.layout == COLUMNS:
                _set_columns(reply.columns, _columns_of(series.points))
            else:
                _add_points(reply.metrics, series.points)
            return reply
        if request.layout == COLUMNS:
            columns, token = self._metrics.history_columns(
                request.run_id,
                request.metric_key,
                request.page_size,
                request.page_token,
                _steps(request),
            )
            reply = pb.GetMetricHistoryResponse(next_page_token=token)
            _set_columns(reply.columns, columns)
            return reply
        page = self._metrics.history(
            request.run_id,
            request.metric_key,
            request.page_size,
            request.page_token,
            _steps(request),
        )
        reply = pb.GetMetricHistoryResponse(next_page_token=page.next_page_token)
        _add_points(reply.metrics, page.items)
        return reply

    def GetMetricHistoryBulk(
        self, request: pb.GetMetricHistoryBulkRequest, context: Any
    ) -> pb.GetMetricHistoryBulkResponse:
        found, budget = self._metrics.bulk_history(
            list(request.run_ids), list(request.metric_keys), request.max_points, _steps(request)
        )
        reply = pb.GetMetricHistoryBulkResponse(max_points=budget)
        for found_series in found:
            series = reply.series.add(
                run_id=found_series.run_id,
                metric_key=found_series.key,
                total_points=found_series.total,
                downsampled=found_series.downsampled,
            )
            if request.layout == COLUMNS:
                _set_columns(series.columns, _columns_of(found_series.points))
            else:
                # The key is the series'; repeating it per point would only add bytes.
                _add_points(series.points, found_series.points, with_key=False)
        return reply
