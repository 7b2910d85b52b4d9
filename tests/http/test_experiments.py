"""Every ExperimentService RPC over HTTP/JSON, compared with the same call over gRPC."""

from __future__ import annotations

import httpx
from trackd.v1 import common_pb2
from trackd.v1 import experiment_service_pb2 as pb

from tests.http.conftest import Stubs, ok, request_id, same


def test_create_experiment_matches_grpc_read(
    http: httpx.Client, stubs: Stubs, unique_name: str
) -> None:
    body = ok(
        http.post(
            "/v1/experiments",
            json={
                "name": unique_name,
                "tags": [{"key": "team", "value": "risk"}],
                "request_id": request_id(),
            },
        )
    )
    experiment = body["experiment"]
    assert experiment["name"] == unique_name
    assert experiment["lifecycle_stage"] == "LIFECYCLE_STAGE_ACTIVE"
    assert experiment["tags"] == [{"key": "team", "value": "risk"}]
    via_grpc = stubs.experiments.GetExperiment(
        pb.GetExperimentRequest(experiment_id=experiment["experiment_id"])
    )
    same(body, pb.CreateExperimentResponse(experiment=via_grpc.experiment))


def test_create_experiment_retry_with_same_request_id_returns_first_answer(
    http: httpx.Client, unique_name: str
) -> None:
    rid = request_id()
    first = ok(http.post("/v1/experiments", json={"name": unique_name, "request_id": rid}))
    again = ok(http.post("/v1/experiments", json={"name": unique_name, "request_id": rid}))
    assert again == first


def test_get_experiment_equals_grpc(http: httpx.Client, stubs: Stubs, experiment_id: str) -> None:
    body = ok(http.get(f"/v1/experiments/{experiment_id}"))
    same(
        body, stubs.experiments.GetExperiment(pb.GetExperimentRequest(experiment_id=experiment_id))
    )
    assert int(body["experiment"]["creation_time"]) > 0  # int64: a string in proto3 JSON


def test_get_experiment_by_name_from_query_equals_grpc(http: httpx.Client, stubs: Stubs) -> None:
    name = f"name with spaces & ünïcode {request_id()[:6]}"
    stubs.experiments.CreateExperiment(
        pb.CreateExperimentRequest(name=name, request_id=request_id())
    )
    body = ok(http.get("/v1/experiments:getByName", params={"name": name}))
    assert body["experiment"]["name"] == name
    same(body, stubs.experiments.GetExperimentByName(pb.GetExperimentByNameRequest(name=name)))


def test_search_experiments_pages_equal_grpc(http: httpx.Client, stubs: Stubs) -> None:
    prefix = f"search-{request_id()[:8]}"
    for i in range(5):
        stubs.experiments.CreateExperiment(
            pb.CreateExperimentRequest(name=f"{prefix}-{i}", request_id=request_id())
        )
    request = {"filter": f"name LIKE '{prefix}-%'", "order_by": ["name DESC"], "page_size": 2}
    token, http_names, grpc_names = "", [], []
    while True:
        body = ok(http.post("/v1/experiments:search", json={**request, "page_token": token}))
        reply = stubs.experiments.SearchExperiments(
            pb.SearchExperimentsRequest(
                filter=request["filter"],
                order_by=request["order_by"],
                page_size=2,
                page_token=token,
            )
        )
        same(body, reply)
        http_names += [e["name"] for e in body["experiments"]]
        grpc_names += [e.name for e in reply.experiments]
        token = body["next_page_token"]
        if not token:
            break
    assert http_names == grpc_names == [f"{prefix}-{i}" for i in reversed(range(5))]


def test_update_experiment_renames(
    http: httpx.Client, stubs: Stubs, experiment_id: str, unique_name: str
) -> None:
    body = ok(
        http.patch(
            f"/v1/experiments/{experiment_id}",
            json={
                "new_name": unique_name + "-renamed",
                "request_id": request_id(),
            },
        )
    )
    assert body["experiment"]["name"] == unique_name + "-renamed"
    same(
        body,
        pb.UpdateExperimentResponse(
            experiment=stubs.experiments.GetExperiment(
                pb.GetExperimentRequest(experiment_id=experiment_id)
            ).experiment
        ),
    )


def test_delete_and_restore_experiment(
    http: httpx.Client, stubs: Stubs, experiment_id: str
) -> None:
    def stage() -> int:
        return stubs.experiments.GetExperiment(
            pb.GetExperimentRequest(experiment_id=experiment_id)
        ).experiment.lifecycle_stage

    assert (
        ok(http.post(f"/v1/experiments/{experiment_id}:delete", json={"request_id": request_id()}))
        == {}
    )
    assert stage() == common_pb2.LIFECYCLE_STAGE_DELETED
    # An empty body is `{}`: curl -X POST without -d works.
    assert ok(http.post(f"/v1/experiments/{experiment_id}:restore")) == {}
    assert stage() == common_pb2.LIFECYCLE_STAGE_ACTIVE


def test_set_and_delete_experiment_tag(
    http: httpx.Client, stubs: Stubs, experiment_id: str
) -> None:
    def tags() -> dict[str, str]:
        reply = stubs.experiments.GetExperiment(
            pb.GetExperimentRequest(experiment_id=experiment_id)
        )
        return {t.key: t.value for t in reply.experiment.tags}

    assert (
        ok(
            http.post(
                f"/v1/experiments/{experiment_id}/tags",
                json={
                    "key": "team",
                    "value": "risk",
                    "request_id": request_id(),
                },
            )
        )
        == {}
    )
    assert tags() == {"team": "risk"}
    assert (
        ok(
            http.post(
                f"/v1/experiments/{experiment_id}/tags:delete",
                json={
                    "key": "team",
                    "request_id": request_id(),
                },
            )
        )
        == {}
    )
    assert tags() == {}
