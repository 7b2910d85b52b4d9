"""Assembles the gRPC server: our services behind the error interceptor, plus health checking
and reflection."""

from __future__ import annotations

from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from trackd.v1 import (
    artifact_service_pb2,
    artifact_service_pb2_grpc,
    experiment_service_pb2,
    experiment_service_pb2_grpc,
    metric_service_pb2,
    metric_service_pb2_grpc,
    run_service_pb2,
    run_service_pb2_grpc,
)

from ..service.tracking import TrackingServices
from .artifacts import ArtifactServicer
from .errors import ErrorInterceptor
from .experiments import ExperimentServicer
from .metrics import MetricServicer
from .runs import RunServicer

SERVICE_NAMES = (
    experiment_service_pb2.DESCRIPTOR.services_by_name["ExperimentService"].full_name,
    run_service_pb2.DESCRIPTOR.services_by_name["RunService"].full_name,
    metric_service_pb2.DESCRIPTOR.services_by_name["MetricService"].full_name,
    artifact_service_pb2.DESCRIPTOR.services_by_name["ArtifactService"].full_name,
)
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
RECEIVE_WINDOW_BYTES = 4 * 1024 * 1024


def build_servicers(services: TrackingServices) -> list[object]:
    return [
        ExperimentServicer(services.experiments),
        RunServicer(services.runs),
        MetricServicer(services.metrics),
        ArtifactServicer(services.artifacts),
    ]


class GrpcServer:
    def __init__(
        self, services: TrackingServices, address: str, threads: int, share_port: bool = False
    ) -> None:
        self.servicers = build_servicers(services)
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="trackd-rpc"),
            interceptors=[ErrorInterceptor()],
            options=[
                # Shared only for --workers: otherwise a second server on a busy port would
                # start and take half of the first one's connections.
                ("grpc.so_reuseport", int(share_port)),
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                # A fixed 4 MiB receive window per stream instead of one sized by bandwidth
                # probing: an artifact upload arriving faster than it can be stored otherwise
                # queues tens of MiB inside gRPC (docs/artifacts.md, "Limits").
                ("grpc.http2.bdp_probe", 0),
                ("grpc.http2.lookahead_bytes", RECEIVE_WINDOW_BYTES),
            ],
        )
        experiment_service_pb2_grpc.add_ExperimentServiceServicer_to_server(
            self.servicers[0], self.server
        )  # type: ignore[arg-type]
        run_service_pb2_grpc.add_RunServiceServicer_to_server(self.servicers[1], self.server)  # type: ignore[arg-type]
        metric_service_pb2_grpc.add_MetricServiceServicer_to_server(self.servicers[2], self.server)  # type: ignore[arg-type]
        artifact_service_pb2_grpc.add_ArtifactServiceServicer_to_server(
            self.servicers[3],  # type: ignore[arg-type]
            self.server,
        )
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), self.server
        )
        if self.server.add_insecure_port(address) == 0:
            raise OSError(f"cannot listen on {address}")

    def start(self) -> None:
        self.server.start()
        for name in ("", *SERVICE_NAMES):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    def stop(self, grace: float) -> None:
        """Stops taking calls, lets in-flight calls finish for up to `grace` seconds."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()
