"""Every RunService RPC over HTTP/JSON, compared with the same call over gRPC."""

from __future__ import annotations

import httpx
from trackd.v1 import common_pb2, run_pb2
from trackd.v1 import run_service_pb2 as pb

from tests.http.conftest import Stubs, ok, request_id, same


def _get(stubs: Stubs, run_id: str) -> pb.GetRunResponse:
    return stubs.runs.GetRun(pb.GetRunRequest(run_id=run_id))


def test_create_run_matches_grpc_read(http: httpx.Client, stubs: Stubs, experiment_id: str) -> None:
    body = ok(
        http.post(
            "/v1/runs",
            json={
                "experiment_id": experiment_id,
                "run_name": "http-run",
                "start_time": 1700000000000,
                "tags": [{"key": "k", "value": "v"}],
                "user_id": "alice",
                "request_id": request_id(),
            },
        )
    )
    info = body["run"]["info"]
    assert info["run_name"] == "http-run"
    assert info["start_time"] == "1700000000000"
    assert info["status"] == "RUN_STATUS_RUNNING"
    assert "end_time" not in info  # optional and unset: absent, not 0
    same(body, pb.CreateRunResponse(run=_get(stubs, info["run_id"]).run))


def test_nested_run_gets_parent_tag(http: httpx.Client, run_id: str, experiment_id: str) -> None:
    body = ok(
        http.post(
            "/v1/runs",
            json={
                "experiment_id": experiment_id,
                "parent_run_id": run_id,
                "request_id": request_id(),
            },
        )
    )
    assert {"key": "mlflow.parentRunId", "value": run_id} in body["run"]["data"]["tags"]


def test_get_run_equals_grpc(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    stubs.runs.LogBatch(
        pb.LogBatchRequest(
            run_id=run_id,
            metrics=[run_pb2.Metric(key="loss", value=0.5, timestamp=1700000000123, step=3)],
            params=[run_pb2.Param(key="alpha", value="0.1")],
            tags=[run_pb2.RunTag(key="t", value="v")],
            request_id=request_id(),
        )
    )
    body = ok(http.get(f"/v1/runs/{run_id}"))
    same(body, _get(stubs, run_id))
    assert body["run"]["data"]["metrics"] == [
        {"key": "loss", "value": 0.5, "timestamp": "1700000000123", "step": "3"}
    ]


def test_update_run_sets_status_and_end_time(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    body = ok(
        http.patch(
            f"/v1/runs/{run_id}",
            json={
                "status": "RUN_STATUS_FINISHED",
                "end_time": "1800000000000",
                "request_id": request_id(),
            },
        )
    )
    assert body["run_info"]["status"] == "RUN_STATUS_FINISHED"
    assert body["run_info"]["end_time"] == "1800000000000"
    same(body, pb.UpdateRunResponse(run_info=_get(stubs, run_id).run.info))


def test_delete_and_restore_run(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    assert ok(http.post(f"/v1/runs/{run_id}:delete", json={"request_id": request_id()})) == {}
    assert _get(stubs, run_id).run.info.lifecycle_stage == common_pb2.LIFECYCLE_STAGE_DELETED
    assert ok(http.post(f"/v1/runs/{run_id}:restore", json={"request_id": request_id()})) == {}
    assert _get(stubs, run_id).run.info.lifecycle_stage == common_pb2.LIFECYCLE_STAGE_ACTIVE


def test_set_and_delete_run_tag(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    def tags() -> dict[str, str]:
        return {t.key: t.value for t in _get(stubs, run_id).run.data.tags}

    assert (
        ok(
            http.post(
                f"/v1/runs/{run_id}/tags",
                json={"key": "stage", "value": "a", "request_id": request_id()},
            )
        )
        == {}
    )
    assert tags()["stage"] == "a"
    assert (
        ok(
            http.post(
                f"/v1/runs/{run_id}/tags:delete", json={"key": "stage", "request_id": request_id()}
            )
        )
        == {}
    )
    assert "stage" not in tags()


def test_log_param(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    assert (
        ok(
            http.post(
                f"/v1/runs/{run_id}/params",
                json={"key": "lr", "value": "0.01", "request_id": request_id()},
            )
        )
        == {}
    )
    assert [(p.key, p.value) for p in _get(stubs, run_id).run.data.params] == [("lr", "0.01")]


def test_log_batch_reads_back_through_grpc(http: httpx.Client, stubs: Stubs, run_id: str) -> None:
    assert (
        ok(
            http.post(
                f"/v1/runs/{run_id}:logBatch",
                json={
                    "metrics": [
                        {"key": "m", "value": 1.5, "timestamp": 1700000000000, "step": 1},
                        {"key": "m", "value": "NaN", "timestamp": 1700000000001, "step": 2},
                    ],
                    "params": [{"key": "p", "value": "x"}],
                    "tags": [{"key": "t", "value": "y"}],
                    "request_id": request_id(),
                },
            )
        )
        == {}
    )
    data = _get(stubs, run_id).run.data
    assert [(p.key, p.value) for p in data.params] == [("p", "x")]
    assert ("t", "y") in [(t.key, t.value) for t in data.tags]
    latest = {m.key: m for m in data.metrics}["m"]
    assert latest.step == 2 and latest.value != latest.value  # NaN


def test_search_runs_pages_equal_grpc(http: httpx.Client, stubs: Stubs, experiment_id: str) -> None:
    for i in range(5):
        created = stubs.runs.CreateRun(
            pb.CreateRunRequest(
                experiment_id=experiment_id, run_name=f"r{i}", request_id=request_id()
            )
        )
        stubs.runs.LogBatch(
            pb.LogBatchRequest(
                run_id=created.run.info.run_id,
                request_id=request_id(),
                metrics=[run_pb2.Metric(key="loss", value=float(i), timestamp=1, step=0)],
            )
        )
    request = {
        "experiment_ids": [experiment_id],
        "filter": "metrics.loss >= 1",
        "order_by": ["metrics.loss ASC"],
        "page_size": 2,
    }
    token, http_names = "", []
    while True:
        body = ok(http.post("/v1/runs:search", json={**request, "page_token": token}))
        same(
            body,
            stubs.runs.SearchRuns(
                pb.SearchRunsRequest(
                    experiment_ids=[experiment_id],
                    filter=request["filter"],
                    order_by=request["order_by"],
                    page_size=2,
                    page_token=token,
                )
            ),
        )
        http_names += [r["info"]["run_name"] for r in body["runs"]]
        token = body["next_page_token"]
        if not token:
            break
    assert http_names == ["r1", "r2", "r3", "r4"]
