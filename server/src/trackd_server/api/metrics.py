"""gRPC servicer of trackd.v1.MetricService: proto in, service call, proto out."""

from __future__ import annotations

from typing import Any

from trackd.v1 import metric_service_pb2 as pb
from trackd.v1 import metric_service_pb2_grpc

from ..domain.entities import Metric
from ..service.metrics import MetricService
from .convert import metric_to_proto


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
        page = self._metrics.history(
            request.run_id, request.metric_key, request.page_size, request.page_token
        )
        return pb.GetMetricHistoryResponse(
            metrics=[metric_to_proto(m) for m in page.items], next_page_token=page.next_page_token
        )
