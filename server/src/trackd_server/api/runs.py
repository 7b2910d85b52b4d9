"""gRPC servicer of trackd.v1.RunService: proto in, service call, proto out."""

from __future__ import annotations

from typing import Any

from trackd.v1 import run_service_pb2 as pb
from trackd.v1 import run_service_pb2_grpc

from ..domain.entities import Param, Tag
from ..service.runs import RunService
from .convert import (
    batch_writes_from_proto,
    fill_run,
    metrics_from_proto,
    params_from_proto,
    read_mask_from_proto,
    run_info_to_proto,
    run_to_proto,
    status_from_proto,
    tags_from_proto,
    view_from_proto,
)


class RunServicer(run_service_pb2_grpc.RunServiceServicer):
    def __init__(self, runs: RunService) -> None:
        self._runs = runs

    def CreateRun(self, request: pb.CreateRunRequest, context: Any) -> pb.CreateRunResponse:
        run = self._runs.create(
            request.experiment_id,
            request.run_name,
            request.start_time if request.HasField("start_time") else None,
            tags_from_proto(request.tags),
            request.parent_run_id,
            request.user_id,
            request.request_id,
        )
        return pb.CreateRunResponse(run=run_to_proto(run))

    def GetRun(self, request: pb.GetRunRequest, context: Any) -> pb.GetRunResponse:
        return pb.GetRunResponse(run=run_to_proto(self._runs.get(request.run_id)))

    def UpdateRun(self, request: pb.UpdateRunRequest, context: Any) -> pb.UpdateRunResponse:
        info = self._runs.update(
            request.run_id,
            status_from_proto(request.status),
            request.end_time if request.HasField("end_time") else None,
            request.run_name if request.HasField("run_name") else None,
            request.request_id,
        )
        return pb.UpdateRunResponse(run_info=run_info_to_proto(info))

    def DeleteRun(self, request: pb.DeleteRunRequest, context: Any) -> pb.DeleteRunResponse:
        self._runs.delete(request.run_id, request.request_id)
        return pb.DeleteRunResponse()

    def RestoreRun(self, request: pb.RestoreRunRequest, context: Any) -> pb.RestoreRunResponse:
        self._runs.restore(request.run_id, request.request_id)
        return pb.RestoreRunResponse()

    def SetRunTag(self, request: pb.SetRunTagRequest, context: Any) -> pb.SetRunTagResponse:
        self._runs.set_tag(request.run_id, Tag(request.key, request.value), request.request_id)
        return pb.SetRunTagResponse()

    def DeleteRunTag(
        self, request: pb.DeleteRunTagRequest, context: Any
    ) -> pb.DeleteRunTagResponse:
        self._runs.delete_tag(request.run_id, request.key, request.request_id)
        return pb.DeleteRunTagResponse()

    def LogParam(self, request: pb.LogParamRequest, context: Any) -> pb.LogParamResponse:
        self._runs.log_param(request.run_id, Param(request.key, request.value), request.request_id)
        return pb.LogParamResponse()

    def LogBatch(self, request: pb.LogBatchRequest, context: Any) -> pb.LogBatchResponse:
        self._runs.log_batch(
            request.run_id,
            metrics_from_proto(request.metrics),
            params_from_proto(request.params),
            tags_from_proto(request.tags),
            request.request_id,
            writes=batch_writes_from_proto(request),
        )
        return pb.LogBatchResponse()

    def SearchRuns(self, request: pb.SearchRunsRequest, context: Any) -> pb.SearchRunsResponse:
        page = self._runs.search(
            list(request.experiment_ids),
            request.filter,
            view_from_proto(request.view_type),
            list(request.order_by),
            request.page_size,
            request.page_token,
            read_mask_from_proto(request),
        )
        response = pb.SearchRunsResponse(next_page_token=page.next_page_token)
        add_run = response.runs.add
        for run in page.items:
            fill_run(add_run(), run)
        return response
