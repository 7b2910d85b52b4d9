"""Fixtures for the HTTP/JSON gateway tests: an HTTP client and raw gRPC stubs of the same
real `trackd server` process (one per backend, from tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from trackd.v1 import (
    experiment_service_pb2 as exp_pb,
)
from trackd.v1 import (
    experiment_service_pb2_grpc as exp_grpc,
)
from trackd.v1 import (
    metric_service_pb2_grpc as metric_grpc,
)
from trackd.v1 import (
    run_service_pb2 as run_pb,
)
from trackd.v1 import (
    run_service_pb2_grpc as run_grpc,
)

from tests.support.servers import ServerProcess


@dataclass
class Stubs:
    experiments: exp_grpc.ExperimentServiceStub
    runs: run_grpc.RunServiceStub
    metrics: metric_grpc.MetricServiceStub


@pytest.fixture(scope="session")
def stubs(server: ServerProcess) -> Iterator[Stubs]:
    channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
    yield Stubs(
        exp_grpc.ExperimentServiceStub(channel),
        run_grpc.RunServiceStub(channel),
        metric_grpc.MetricServiceStub(channel),
    )
    channel.close()


@pytest.fixture(scope="session")
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.http_url, timeout=30) as client:
        yield client


def request_id() -> str:
    return uuid.uuid4().hex


def ok(response: httpx.Response) -> Any:
    """The JSON body of a successful response; the error body in the failure message."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def same(http_json: dict[str, Any], grpc_message: Message) -> None:
    """Field-by-field equality of an HTTP answer and a gRPC answer, plus our output form:
    snake_case names and 64-bit integers as strings (the proto3 JSON mapping)."""
    parsed = json_format.ParseDict(http_json, type(grpc_message)())
    assert json_format.MessageToDict(parsed, preserving_proto_field_name=True) == (
        json_format.MessageToDict(grpc_message, preserving_proto_field_name=True)
    )
    assert_int64_are_strings(http_json, grpc_message.DESCRIPTOR)


def assert_int64_are_strings(doc: Any, descriptor: Any) -> None:
    for field in descriptor.fields:
        if field.name not in doc:
            assert field.json_name not in doc, f"{field.json_name} is not snake_case"
            continue
        value = doc[field.name]
        values = value if field.is_repeated else [value]
        if field.type in (field.TYPE_INT64, field.TYPE_UINT64):
            assert all(isinstance(v, str) and int(v) >= 0 for v in values), (
                f"{field.name}={value!r}"
            )
        elif field.message_type is not None:
            for item in values:
                assert_int64_are_strings(item, field.message_type)


@pytest.fixture()
def experiment_id(stubs: Stubs, unique_name: str) -> str:
    reply = stubs.experiments.CreateExperiment(
        exp_pb.CreateExperimentRequest(name=unique_name, request_id=request_id())
    )
    return str(reply.experiment.experiment_id)


@pytest.fixture()
def run_id(stubs: Stubs, experiment_id: str) -> str:
    reply = stubs.runs.CreateRun(
        run_pb.CreateRunRequest(
            experiment_id=experiment_id, user_id="tester", request_id=request_id()
        )
    )
    return str(reply.run.info.run_id)


@pytest.fixture(scope="session")
def server_http_url(server: ServerProcess) -> str:
    return server.http_url
