"""The transcoder without a network: routes come from descriptors alone (a service that
did not exist when the gateway was written is reachable), and every error code maps to
its HTTP status. These run the real transcoder on toy servicers; the real server is
covered by the other modules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.rpc import code_pb2, status_pb2
from trackd.v1 import run_service_pb2 as pb
from trackd.v1 import run_service_pb2_grpc
from trackd_server.api.errors import status_of
from trackd_server.api.http.errors import HTTP_STATUS_BY_CODE
from trackd_server.api.http.routes import compile_template, routes_for
from trackd_server.api.http.services import ServiceBinding, bind_servicers, generated_services
from trackd_server.api.http.transcoder import HttpRequest, Transcoder
from trackd_server.domain import errors

from tests.support.http_errors import ERROR_INFO, status_error


def test_every_annotated_rpc_has_a_route() -> None:
    services = generated_services()
    assert {
        "trackd.v1.ExperimentService",
        "trackd.v1.RunService",
        "trackd.v1.MetricService",
    } <= set(services)
    for descriptor, _ in services.values():
        routed = {route.method.name for route in routes_for(descriptor)}
        assert routed == {m.name for m in descriptor.methods}


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/v1/runs/{run_id}:delete", "/v1/runs/abc:delete", ("abc",)),
        ("/v1/runs/{run_id}:delete", "/v1/runs/abc", None),
        ("/v1/runs/{run_id}", "/v1/runs/abc:delete", None),  # variables never swallow a verb
        ("/v1/experiments/{experiment_id}/tags", "/v1/experiments/7/tags", ("7",)),
        ("/v1/experiments:getByName", "/v1/experiments:getByName", ()),
        ("/v1/{name=projects/*/runs/*}", "/v1/projects/p/runs/r", ("projects/p/runs/r",)),
        ("/v1/files/{path=**}", "/v1/files/a/b/c", ("a/b/c",)),
    ],
)
def test_path_templates(template: str, path: str, expected: tuple[str, ...] | None) -> None:
    pattern, variables, _ = compile_template(template)
    match = pattern.fullmatch(path)
    assert (match.groups() if match else None) == expected
    assert len(variables) == len(expected or variables)


def _echo_service() -> Any:
    """A service defined at test time, with nested path fields, a GET with query parameters
    and a rule with body "payload"."""
    file = descriptor_pb2.FileDescriptorProto(
        name="trackd_test/echo.proto",
        package="trackdtest.v1",
        syntax="proto3",
        dependency=["google/api/annotations.proto"],
    )
    inner = file.message_type.add(name="Inner")
    inner.field.add(name="id", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING)
    request = file.message_type.add(name="EchoRequest")
    request.field.add(
        name="inner",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
        type_name=".trackdtest.v1.Inner",
    )
    request.field.add(name="count", number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT64)
    request.field.add(
        name="words",
        number=3,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED,
    )
    request.field.add(name="loud", number=4, type=descriptor_pb2.FieldDescriptorProto.TYPE_BOOL)
    request.field.add(
        name="payload",
        number=5,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
        type_name=".trackdtest.v1.Inner",
    )
    service = file.service.add(name="EchoService")
    for name, verb, path, body in [
        ("Get", "get", "/v1/echo/{inner.id}", ""),
        ("Put", "put", "/v1/echo/{inner.id}:put", "payload"),
    ]:
        method = service.method.add(
            name=name,
            input_type=".trackdtest.v1.EchoRequest",
            output_type=".trackdtest.v1.EchoRequest",
        )
        rule = method.options.Extensions[annotations_pb2.http]
        setattr(rule, verb, path)
        rule.body = body
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(file.name)
    except KeyError:
        pool.Add(file)
    return pool.FindServiceByName("trackdtest.v1.EchoService")


class _Echo:
    def Get(self, request: Any, context: Any) -> Any:
        return request

    def Put(self, request: Any, context: Any) -> Any:
        assert dict(context.invocation_metadata())["x-probe"] == "1"
        return request


def _call(
    transcoder: Transcoder, method: str, path: str, query: str = "", body: bytes = b""
) -> tuple[int, Any]:
    response = transcoder.handle(
        HttpRequest(method, path, query, [("X-Probe", "1")], body, "ipv4:1.2.3.4:5")
    )
    return response.status, json.loads(response.body)


def test_a_new_service_is_reachable_without_handler_code() -> None:
    transcoder = Transcoder([ServiceBinding(_echo_service(), _Echo())])
    status, body = _call(
        transcoder, "GET", "/v1/echo/a%2Fb", "count=1e%2B05&words=x&words=y&loud=true"
    )
    assert status == 200
    assert body == {"inner": {"id": "a/b"}, "count": "100000", "words": ["x", "y"], "loud": True}
    status, body = _call(transcoder, "PUT", "/v1/echo/i:put", "words=w", b'{"id": "p"}')
    assert status == 200
    assert (
        body["payload"] == {"id": "p"} and body["words"] == ["w"] and body["inner"] == {"id": "i"}
    )
    status, body = _call(transcoder, "GET", "/v1/echo/x", "inner=1")
    assert status == 400 and status_error(body)["reason"] == "UNKNOWN_FIELD"


class _Failing(run_service_pb2_grpc.RunServiceServicer):
    def __init__(self, error: Exception) -> None:
        self.error = error

    def GetRun(self, request: pb.GetRunRequest, context: Any) -> pb.GetRunResponse:
        raise self.error


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidArgument("bad"), 400),
        (errors.FailedPrecondition("deleted"), 400),
        (errors.NotFound("none", reason="RUN_NOT_FOUND", metadata={"run_id": "r"}), 404),
        (errors.AlreadyExists("dup"), 409),
        (errors.PermissionDenied("no"), 403),
        (errors.ResourceExhausted("slow down"), 429),
        (errors.Unavailable("db down"), 503),
        (errors.TrackdError("boom"), 500),
    ],
)
def test_domain_errors_map_to_http_statuses(error: errors.TrackdError, status: int) -> None:
    transcoder = Transcoder(bind_servicers([_Failing(error)]))
    got_status, body = _call(transcoder, "GET", "/v1/runs/r")
    assert got_status == status
    assert body == {
        "code": code_pb2.Code.Value(error.code),
        "message": error.message,
        "details": [
            {
                "@type": ERROR_INFO,
                "reason": error.reason,
                "domain": "trackd.io",
                "metadata": error.metadata,
            }
        ],
    }
    # The very Status the gRPC interceptor sends for the same error.
    assert json_format.ParseDict(body, status_pb2.Status()) == status_of(error)


def test_unexpected_exception_is_a_json_500_without_internals() -> None:
    transcoder = Transcoder(bind_servicers([_Failing(RuntimeError("secret detail"))]))
    status, body = _call(transcoder, "GET", "/v1/runs/r")
    assert status == 500 and status_error(body)["code"] == "INTERNAL"
    assert "secret" not in status_error(body)["message"]


def test_unimplemented_rpc_is_501() -> None:
    transcoder = Transcoder(bind_servicers([_Failing(RuntimeError())]))
    status, body = _call(transcoder, "POST", "/v1/runs:search", body=b"{}")
    assert (status, status_error(body)["code"]) == (501, "UNIMPLEMENTED")


def test_status_mapping_matches_google() -> None:
    assert {
        c: HTTP_STATUS_BY_CODE[c]
        for c in (
            "INVALID_ARGUMENT",
            "FAILED_PRECONDITION",
            "NOT_FOUND",
            "ALREADY_EXISTS",
            "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED",
            "UNAVAILABLE",
            "INTERNAL",
            "UNAUTHENTICATED",
            "DEADLINE_EXCEEDED",
            "ABORTED",
        )
    } == {
        "INVALID_ARGUMENT": 400,
        "FAILED_PRECONDITION": 400,
        "NOT_FOUND": 404,
        "ALREADY_EXISTS": 409,
        "PERMISSION_DENIED": 403,
        "RESOURCE_EXHAUSTED": 429,
        "UNAVAILABLE": 503,
        "INTERNAL": 500,
        "UNAUTHENTICATED": 401,
        "DEADLINE_EXCEEDED": 504,
        "ABORTED": 409,
    }


def test_servicer_that_implements_no_service_is_refused() -> None:
    with pytest.raises(ValueError, match="subclasses no generated"):
        bind_servicers([object()])
    assert message_factory is not None
