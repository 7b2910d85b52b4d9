"""gRPC servicer of trackd.v1.ExperimentService: proto in, service call, proto out."""

from __future__ import annotations

from typing import Any

from trackd.v1 import experiment_pb2, experiment_service_pb2_grpc
from trackd.v1 import experiment_service_pb2 as pb

from ..service.experiments import ExperimentService
from .convert import experiment_to_proto, tags_from_proto, view_from_proto


class ExperimentServicer(experiment_service_pb2_grpc.ExperimentServiceServicer):
    def __init__(self, experiments: ExperimentService) -> None:
        self._experiments = experiments

    def CreateExperiment(
        self, request: pb.CreateExperimentRequest, context: Any
    ) -> pb.CreateExperimentResponse:
        created = self._experiments.create(
            request.name,
            request.artifact_location,
            tags_from_proto(request.tags),
            request.request_id,
        )
        return pb.CreateExperimentResponse(experiment=experiment_to_proto(created))

    def GetExperiment(
        self, request: pb.GetExperimentRequest, context: Any
    ) -> pb.GetExperimentResponse:
        return pb.GetExperimentResponse(
            experiment=experiment_to_proto(self._experiments.get(request.experiment_id))
        )

    def GetExperimentByName(
        self, request: pb.GetExperimentByNameRequest, context: Any
    ) -> pb.GetExperimentByNameResponse:
        return pb.GetExperimentByNameResponse(
            experiment=experiment_to_proto(self._experiments.get_by_name(request.name))
        )

    def SearchExperiments(
        self, request: pb.SearchExperimentsRequest, context: Any
    ) -> pb.SearchExperimentsResponse:
        page = self._experiments.search(
            request.filter,
            view_from_proto(request.view_type),
            list(request.order_by),
            request.page_size,
            request.page_token,
        )
        return pb.SearchExperimentsResponse(
            experiments=[experiment_to_proto(e) for e in page.items],
            next_page_token=page.next_page_token,
        )

    def UpdateExperiment(
        self, request: pb.UpdateExperimentRequest, context: Any
    ) -> pb.UpdateExperimentResponse:
        renamed = self._experiments.rename(
            request.experiment_id, request.new_name, request.request_id
        )
        return pb.UpdateExperimentResponse(experiment=experiment_to_proto(renamed))

    def DeleteExperiment(
        self, request: pb.DeleteExperimentRequest, context: Any
    ) -> pb.DeleteExperimentResponse:
        self._experiments.delete(request.experiment_id, request.request_id)
        return pb.DeleteExperimentResponse()

    def RestoreExperiment(
        self, request: pb.RestoreExperimentRequest, context: Any
    ) -> pb.RestoreExperimentResponse:
        self._experiments.restore(request.experiment_id, request.request_id)
        return pb.RestoreExperimentResponse()

    def SetExperimentTag(
        self, request: pb.SetExperimentTagRequest, context: Any
    ) -> pb.SetExperimentTagResponse:
        tag = tags_from_proto([experiment_pb2.ExperimentTag(key=request.key, value=request.value)])[
            0
        ]
        self._experiments.set_tag(request.experiment_id, tag, request.request_id)
        return pb.SetExperimentTagResponse()

    def DeleteExperimentTag(
        self, request: pb.DeleteExperimentTagRequest, context: Any
    ) -> pb.DeleteExperimentTagResponse:
        self._experiments.delete_tag(request.experiment_id, request.key, request.request_id)
        return pb.DeleteExperimentTagResponse()
