"""The JSON spellings clients send: lowerCamel or snake_case names, int64 as numbers or
strings (R's "1e+05" included), doubles as "NaN"/"Infinity", enums by short name."""

from __future__ import annotations

import math

import httpx
import pytest
from trackd.v1 import (
    experiment_service_pb2 as exp_pb,
)
from trackd.v1 import (
    metric_service_pb2 as metric_pb,
)
from trackd.v1 import (
    run_pb2,
)
from trackd.v1 import (
    run_service_pb2 as pb,
)

from tests.http.conftest import Stubs, ok, request_id
from tests.support.http_errors import status_error


def _history(stubs: Stubs, run_id: str, key: str) -> list[run_pb2.Metric]:
    return list(
        stubs.metrics.GetMetricHistory(
            metric_pb.GetMetricHistoryRequest(run_id=run_id, metric_key=key)
        ).metrics
    )


def test_camel_case_and_snake_case_names_are_the_same_request(
    http: httpx.Client, stubs: Stubs, experiment_id: str
) -> None:
    camel = ok(
        http.post(
            "/v1/runs",
            json={
                "experimentId": experiment_id,
                "runName": "camel",
                "startTime": "1700000000000",
                "userId": "u",
                "requestId": request_id(),
            },
        )
    )["run"]["info"]
    snake = ok(
        http.post(
            "/v1/runs",
            json={
                "experiment_id": experiment_id,
                "run_name": "snake",
                "start_time": 1700000000000,
                "user_id": "u",
                "request_id": request_id(),
            },
        )
    )["run"]["info"]
    for info in (camel, snake):
        assert (info["experiment_id"], info["start_time"], info["user_id"]) == (
            experiment_id,
            "1700000000000",
            "u",
        )
    assert (camel["run_name"], snake["run_name"]) == ("camel", "snake")


@pytest.mark.parametrize(
    ("step", "timestamp", "expected_step", "expected_timestamp"),
    [
        ("1e+05", "1.7e+12", 100000, 1700000000000),  # R's as.character()
        ("100000", "1700000000000", 100000, 1700000000000),  # proto3 canonical strings
        (100000, 1700000000000, 100000, 1700000000000),  # JSON numbers
        (1e5, 1.7e12, 100000, 1700000000000),  # JSON numbers written with exponents
        ("9223372036854775807", "1.7000000001e12", 2**63 - 1, 1700000000100),
    ],
)
def test_int64_spellings(
    http: httpx.Client,
    stubs: Stubs,
    run_id: str,
    step: object,
    timestamp: object,
    expected_step: int,
    expected_timestamp: int,
) -> None:
    key = f"k{request_id()[:6]}"
    ok(
        http.post(
            f"/v1/runs/{run_id}/metrics",
            json={
                "key": key,
                "value": 1,
                "step": step,
                "timestamp": timestamp,
                "request_id": request_id(),
            },
        )
    )
    [point] = _history(stubs, run_id, key)
    assert (point.step, point.timestamp) == (expected_step, expected_timestamp)


@pytest.mark.parametrize("bad", ["1.5", "1e-1", "ten", "1e400", True, 2**64])
def test_non_integral_int64_is_400(http: httpx.Client, run_id: str, bad: object) -> None:
    reply = http.post(f"/v1/runs/{run_id}/metrics", json={"key": "x", "value": 1, "step": bad})
    assert reply.status_code == 400, reply.text
    error = status_error(reply.json())
    assert error["code"] == "INVALID_ARGUMENT"
    assert "step" in error["message"]


def test_non_finite_doubles_round_trip(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    values = ["NaN", "Infinity", "-Infinity", "1.5", 2.5]
    for step, value in enumerate(values):
        ok(
            http.post(
                f"/v1/runs/{run_id}/metrics", json={"key": "nf", "value": value, "step": step}
            )
        )
    got = [p.value for p in _history(stubs, run_id, "nf")]
    assert math.isnan(got[0]) and got[1:] == [math.inf, -math.inf, 1.5, 2.5]
    body = ok(http.get(f"/v1/runs/{run_id}/metrics:history", params={"metric_key": "nf"}))
    assert [m["value"] for m in body["metrics"]] == ["NaN", "Infinity", "-Infinity", 1.5, 2.5]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_bare_nan_tokens_are_refused(
    http: httpx.Client, stubs: Stubs, run_id: str, token: str
) -> None:
    # Python's json.dumps writes NaN/Infinity without quotes; that is not JSON, and a client
    # that means the number must send the string ("NaN"), which every JSON library can.
    body = f'{{"key": "bare", "value": {token}, "step": 0}}'.encode()
    reply = http.post(f"/v1/runs/{run_id}/metrics", content=body)
    error = status_error(reply.json())
    assert (reply.status_code, error["reason"]) == (400, "MALFORMED_JSON")
    assert f'"{token}"' in error["message"]
    assert _history(stubs, run_id, "bare") == []


def test_enums_by_full_name_short_name_or_number(
    http: httpx.Client, stubs: Stubs, experiment_id: str
) -> None:
    statuses = {}
    for spelling in ("RUN_STATUS_FAILED", "KILLED", "finished", 2):
        run = stubs.runs.CreateRun(
            pb.CreateRunRequest(experiment_id=experiment_id, request_id=request_id())
        )
        body = ok(http.patch(f"/v1/runs/{run.run.info.run_id}", json={"status": spelling}))
        statuses[spelling] = body["run_info"]["status"]
    assert statuses == {
        "RUN_STATUS_FAILED": "RUN_STATUS_FAILED",
        "KILLED": "RUN_STATUS_KILLED",
        "finished": "RUN_STATUS_FINISHED",
        2: "RUN_STATUS_SCHEDULED",
    }


def test_search_view_type_short_name(http: httpx.Client, stubs: Stubs, experiment_id: str) -> None:
    run = stubs.runs.CreateRun(
        pb.CreateRunRequest(experiment_id=experiment_id, request_id=request_id())
    )
    stubs.runs.DeleteRun(pb.DeleteRunRequest(run_id=run.run.info.run_id, request_id=request_id()))
    body = ok(
        http.post(
            "/v1/runs:search", json={"experimentIds": [experiment_id], "viewType": "DELETED_ONLY"}
        )
    )
    assert [r["info"]["run_id"] for r in body["runs"]] == [run.run.info.run_id]


def test_responses_include_defaults(
    http: httpx.Client, stubs: Stubs, run_id: str, unique_name: str
) -> None:
    run = ok(http.get(f"/v1/runs/{run_id}"))["run"]
    assert run["data"]["metrics"] == [] and run["data"]["params"] == []
    empty = stubs.experiments.CreateExperiment(
        exp_pb.CreateExperimentRequest(name=unique_name + "-empty", request_id=request_id())
    ).experiment.experiment_id
    body = ok(http.post("/v1/runs:search", json={"experiment_ids": [empty]}))
    assert body == {"runs": [], "next_page_token": ""}
