"""gRPC status -> exception class, with ErrorInfo's reason and metadata.

The first tests provoke each error the trackd server reports for a caller's mistake. The last
one covers the codes the server only sends when something is broken (INTERNAL, UNAVAILABLE,
RESOURCE_EXHAUSTED, ...): a real gRPC server on loopback answers every call with the status it
is asked for, so the client's mapping of each code and of the ErrorInfo detail is checked.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from concurrent import futures

import grpc
import pytest
import trackd
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from trackd import exceptions
from trackd.v1 import experiment_service_pb2

from tests.support.servers import free_port

from .conftest import new_name


def test_server_errors_carry_code_and_reason(client: trackd.TrackingClient, run_id: str) -> None:
    name = new_name()
    client.create_experiment(name)
    client.log_param(run_id, "p", "1")
    cases: list[tuple[type[exceptions.TrackdError], str, Callable[[], object]]] = [
        (exceptions.NotFoundError, "RUN_NOT_FOUND", lambda: client.get_run("f" * 32)),
        (exceptions.NotFoundError, "EXPERIMENT_NOT_FOUND", lambda: client.get_experiment("999999")),
        (exceptions.NotFoundError, "TAG_NOT_FOUND", lambda: client.delete_tag(run_id, "absent")),
        (
            exceptions.AlreadyExistsError,
            "EXPERIMENT_NAME_TAKEN",
            lambda: client.create_experiment(name),
        ),
        (
            exceptions.InvalidArgumentError,
            "PARAM_VALUE_CHANGED",
            lambda: client.log_param(run_id, "p", "2"),
        ),
        (
            exceptions.InvalidArgumentError,
            "INVALID_ARGUMENT",
            lambda: client.set_tag(run_id, "k" * 251, "v"),
        ),
    ]
    for expected, reason, call in cases:
        with pytest.raises(expected) as caught:
            call()
        err = caught.value
        assert type(err) is expected
        assert (err.code, err.reason) == (expected.code, reason)
        assert err.message
        assert err.code in str(err) and err.message in str(err)

    client.delete_run(run_id)
    with pytest.raises(exceptions.FailedPreconditionError) as caught:
        client.log_metric(run_id, "m", 1.0)
    assert caught.value.reason == "RUN_DELETED"
    assert caught.value.metadata.get("run_id") in (None, run_id)


def test_exceptions_pickle() -> None:
    err = exceptions.NotFoundError("no run", reason="RUN_NOT_FOUND", metadata={"run_id": "x"})
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is exceptions.NotFoundError
    assert (copy.message, copy.reason, copy.metadata) == (
        "no run",
        "RUN_NOT_FOUND",
        {"run_id": "x"},
    )


EXPECTED = {
    "INVALID_ARGUMENT": exceptions.InvalidArgumentError,
    "NOT_FOUND": exceptions.NotFoundError,
    "ALREADY_EXISTS": exceptions.AlreadyExistsError,
    "FAILED_PRECONDITION": exceptions.FailedPreconditionError,
    "RESOURCE_EXHAUSTED": exceptions.ResourceExhaustedError,
    "PERMISSION_DENIED": exceptions.PermissionDeniedError,
    "UNAUTHENTICATED": exceptions.UnauthenticatedError,
    "UNAVAILABLE": exceptions.UnavailableError,
    "DEADLINE_EXCEEDED": exceptions.DeadlineExceededError,
    "ABORTED": exceptions.AbortedError,
    "CANCELLED": exceptions.CancelledError,
    "UNIMPLEMENTED": exceptions.UnimplementedError,
    "INTERNAL": exceptions.InternalError,
    "UNKNOWN": exceptions.UnknownError,
    "OUT_OF_RANGE": exceptions.InvalidArgumentError,
    "DATA_LOSS": exceptions.DataLossError,
}


def _answer_with_requested_status(
    request: experiment_service_pb2.GetExperimentRequest, context: grpc.ServicerContext
) -> None:
    code_name, _, with_info = request.experiment_id.partition(":")
    status = status_pb2.Status(code=code_pb2.Code.Value(code_name), message=f"{code_name} here")
    if with_info:
        detail = any_pb2.Any()
        detail.Pack(
            error_details_pb2.ErrorInfo(
                reason=f"TEST_{code_name}", domain="trackd.io", metadata={"field": "x"}
            )
        )
        status.details.append(detail)
    context.abort_with_status(rpc_status.to_status(status))


@pytest.fixture(scope="module")
def status_server_uri() -> Iterator[str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handler = grpc.unary_unary_rpc_method_handler(
        _answer_with_requested_status,
        request_deserializer=experiment_service_pb2.GetExperimentRequest.FromString,
        response_serializer=experiment_service_pb2.GetExperimentResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                "trackd.v1.ExperimentService", {"GetExperiment": handler}
            )
        ]
    )
    port = free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    yield f"grpc://127.0.0.1:{port}"
    server.stop(grace=None)


@pytest.mark.parametrize("code_name", sorted(EXPECTED))
def test_every_status_code_maps_to_its_class(status_server_uri: str, code_name: str) -> None:
    client = trackd.TrackingClient(status_server_uri, max_retries=0)

    with pytest.raises(EXPECTED[code_name]) as caught:
        client.get_experiment(f"{code_name}:info")
    err = caught.value
    assert (err.reason, err.metadata, err.message) == (
        f"TEST_{code_name}",
        {"field": "x"},
        f"{code_name} here",
    )
    assert isinstance(err, exceptions.TrackdError)

    with pytest.raises(EXPECTED[code_name]) as caught:
        client.get_experiment(code_name)  # no ErrorInfo: the reason falls back to the code
    assert caught.value.reason == caught.value.code == code_name
