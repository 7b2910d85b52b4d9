"""Error answers: domain errors with Google's HTTP status mapping and our JSON error body,
and the gateway's own refusals (bad JSON, unknown fields, wrong types, size, routes)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from trackd.v1 import run_pb2
from trackd.v1 import run_service_pb2 as pb

from tests.http.conftest import Stubs, request_id
from tests.support.http_errors import status_error
from tests.support.servers import ServerProcess

MISSING_RUN = "0" * 32


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = status_error(response.json())
    assert error["code"] == code
    assert error["message"] and error["reason"]
    return error


def test_missing_run_is_404_not_found(http: httpx.Client) -> None:
    error = error_of(http.get(f"/v1/runs/{MISSING_RUN}"), 404, "NOT_FOUND")
    assert MISSING_RUN in str(error["message"]) or MISSING_RUN in str(error["metadata"])


def test_missing_experiment_name_is_404(http: httpx.Client) -> None:
    error_of(
        http.get("/v1/experiments:getByName", params={"name": f"nope-{uuid.uuid4()}"}),
        404,
        "NOT_FOUND",
    )


def test_duplicate_experiment_is_409_already_exists(http: httpx.Client, unique_name: str) -> None:
    assert http.post("/v1/experiments", json={"name": unique_name}).status_code == 200
    error_of(http.post("/v1/experiments", json={"name": unique_name}), 409, "ALREADY_EXISTS")


def test_write_to_deleted_run_is_400_failed_precondition(
    http: httpx.Client, stubs: Stubs, run_id: str
) -> None:
    stubs.runs.DeleteRun(pb.DeleteRunRequest(run_id=run_id, request_id=request_id()))
    error_of(
        http.post(f"/v1/runs/{run_id}/params", json={"key": "k", "value": "v"}),
        400,
        "FAILED_PRECONDITION",
    )


def test_changed_param_is_400_invalid_argument_naming_the_key(
    http: httpx.Client, run_id: str
) -> None:
    assert (
        http.post(f"/v1/runs/{run_id}/params", json={"key": "lr", "value": "1"}).status_code == 200
    )
    error = error_of(
        http.post(f"/v1/runs/{run_id}/params", json={"key": "lr", "value": "2"}),
        400,
        "INVALID_ARGUMENT",
    )
    assert "lr" in str(error["message"])


def test_deleting_absent_tag_is_404(http: httpx.Client, run_id: str) -> None:
    error_of(http.post(f"/v1/runs/{run_id}/tags:delete", json={"key": "absent"}), 404, "NOT_FOUND")


def test_oversized_batch_is_400_and_atomic(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    params = [{"key": f"p{i}", "value": "v"} for i in range(101)]
    error_of(
        http.post(f"/v1/runs/{run_id}:logBatch", json={"params": params}), 400, "INVALID_ARGUMENT"
    )
    assert list(stubs.runs.GetRun(pb.GetRunRequest(run_id=run_id)).run.data.params) == []


def test_same_request_id_for_another_request_is_failed_precondition(
    http: httpx.Client, run_id: str
) -> None:
    rid = request_id()
    assert (
        http.post(
            f"/v1/runs/{run_id}/tags", json={"key": "a", "value": "1", "request_id": rid}
        ).status_code
        == 200
    )
    error_of(
        http.post(f"/v1/runs/{run_id}/tags", json={"key": "a", "value": "2", "request_id": rid}),
        400,
        "FAILED_PRECONDITION",
    )


@pytest.mark.parametrize(
    ("body", "reason", "fragment"),
    [
        (b'{"key": "a", ', "MALFORMED_JSON", "not valid JSON"),
        (b"[1, 2]", "MALFORMED_JSON", "JSON object"),
        (b'"just a string"', "MALFORMED_JSON", "JSON object"),
        (b"\xff\xfe", "MALFORMED_JSON", "UTF-8"),
        (b'{"key": "a", "colour": "red"}', "UNKNOWN_FIELD", "colour"),
        (b'{"key": 5}', "INVALID_FIELD_VALUE", "key"),
        (b'{"key": "a", "value": "high"}', "INVALID_FIELD_VALUE", "value"),
        (b'{"key": "a", "value": {"x": 1}}', "INVALID_FIELD_VALUE", "value"),
        (b'{"key": "a", "step": [1]}', "INVALID_FIELD_VALUE", "step"),
        (b'{"key": "a", "request_id": "r", "requestId": "s"}', "DUPLICATE_FIELD", "request"),
        (b'{"key": "a", "value": 1, "value": 2}', "DUPLICATE_FIELD", "'value' appears twice"),
        (b'{"key": "a", "value": NaN}', "MALFORMED_JSON", '"NaN"'),
        (b"[" * 100_000, "JSON_TOO_DEEP", "limit of 32 levels"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON_TOO_DEEP", "limit of 32 levels"),
        (b'{"key": "a", "x": ' + b'{"y": ' * 40 + b"1" + b"}" * 41, "JSON_TOO_DEEP", "32"),
        (
            b'{"key": "a", "run_id": "ffffffffffffffffffffffffffffffff"}',
            "CONFLICTING_FIELD",
            "run_id",
        ),
    ],
)
def test_bad_bodies_are_400_with_clear_messages(
    http: httpx.Client, run_id: str, body: bytes, reason: str, fragment: str
) -> None:
    response = http.post(
        f"/v1/runs/{run_id}/metrics", content=body, headers={"content-type": "application/json"}
    )
    error = error_of(response, 400, "INVALID_ARGUMENT")
    assert error["reason"] == reason
    assert fragment in str(error["message"])


def test_bad_nested_field_names_the_path(http: httpx.Client, run_id: str) -> None:
    error = error_of(
        http.post(f"/v1/runs/{run_id}:logBatch", json={"metrics": [{"key": "m", "valu": 1}]}),
        400,
        "INVALID_ARGUMENT",
    )
    assert error["reason"] == "UNKNOWN_FIELD" and "metrics[0].valu" in str(error["message"])


def test_bad_query_parameters_are_400(http: httpx.Client, run_id: str) -> None:
    path = f"/v1/runs/{run_id}/metrics:history"
    assert (
        error_of(http.get(path, params={"colour": "red"}), 400, "INVALID_ARGUMENT")["reason"]
        == "UNKNOWN_FIELD"
    )
    assert (
        error_of(http.get(path, params={"page_size": "many"}), 400, "INVALID_ARGUMENT")["reason"]
        == "INVALID_FIELD_VALUE"
    )
    assert (
        error_of(http.get(path + "?page_size=1&page_size=2"), 400, "INVALID_ARGUMENT")["reason"]
        == "DUPLICATE_FIELD"
    )
    assert (
        error_of(http.request("GET", path, content=b"{}"), 400, "INVALID_ARGUMENT")["reason"]
        == "BODY_NOT_ALLOWED"
    )
    response = http.post(f"/v1/runs/{run_id}/params?key=a", json={"value": "b"})
    assert error_of(response, 400, "INVALID_ARGUMENT")["reason"] == "QUERY_NOT_ALLOWED"


def test_unknown_route_is_json_404(http: httpx.Client) -> None:
    for path in ("/", "/v2/runs", "/v1/runs/abc:explode", "/api/2.0/mlflow/runs/get"):
        assert error_of(http.get(path), 404, "NOT_FOUND")["reason"] == "ROUTE_NOT_FOUND"


def test_wrong_method_is_405_with_allow(http: httpx.Client, run_id: str) -> None:
    response = http.delete(f"/v1/runs/{run_id}")
    error = error_of(response, 405, "UNIMPLEMENTED")
    assert error["reason"] == "METHOD_NOT_ALLOWED"
    assert response.headers["allow"] == "GET, PATCH"
    assert error_of(http.get("/v1/runs:search"), 405, "UNIMPLEMENTED")["metadata"] == {
        "method": "GET",
        "path": "/v1/runs:search",
        "allow": "POST",
    }


def test_body_over_16_mib_is_413(http: httpx.Client, run_id: str) -> None:
    padding = "x" * (16 * 1024 * 1024)
    response = http.post(
        f"/v1/runs/{run_id}/tags", content=f'{{"key": "k", "value": "{padding}"}}'.encode()
    )
    error = error_of(response, 413, "RESOURCE_EXHAUSTED")
    assert error["reason"] == "REQUEST_TOO_LARGE"


def test_chunked_body_over_limit_is_413(http: httpx.Client, run_id: str) -> None:
    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(17):
            yield b" " * (1024 * 1024)

    response = http.post(f"/v1/runs/{run_id}/tags", content=chunks())
    error_of(response, 413, "RESOURCE_EXHAUSTED")


def test_server_keeps_serving_after_bad_requests(http: httpx.Client, server: ServerProcess) -> None:
    http.post("/v1/runs", content=b"\x00\x01garbage")
    assert http.get("/v1/experiments/0").json()["experiment"]["name"] == "Default"
    assert server.process.poll() is None


def test_enum_number_outside_the_enum_is_400_and_changes_nothing(
    http: httpx.Client, stubs: Stubs, run_id: str
) -> None:
    # proto3 enums are open: json_format alone would store 99, and UpdateRun answered 200.
    for status in (99, "99", -1):
        error = error_of(
            http.patch(f"/v1/runs/{run_id}", json={"status": status}), 400, "INVALID_ARGUMENT"
        )
        assert error["reason"] == "INVALID_FIELD_VALUE"
        assert "status" in str(error["message"]) and "RUN_STATUS_FINISHED" in str(error["message"])
    info = stubs.runs.GetRun(pb.GetRunRequest(run_id=run_id)).run.info
    assert info.status == run_pb2.RUN_STATUS_RUNNING


def test_nesting_within_the_limit_is_read(http: httpx.Client, run_id: str) -> None:
    # The deepest real request (a LogBatch) and strings full of brackets are not "deep".
    body = {"metrics": [{"key": "[[[[{{{{" * 20, "value": 1, "step": 0}], "tags": []}
    assert http.post(f"/v1/runs/{run_id}:logBatch", json=body).status_code == 200
