"""SearchRunsRequest.read_mask: each run carries only the data the mask names."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
import trackd
from trackd.v1 import common_pb2, run_pb2, run_service_pb2

from tests.history.conftest import Stubs, error_info

# What CreateRun adds (the Python client sends the user).
SYSTEM_TAGS = {"mlflow.runName", "mlflow.user"}


@pytest.fixture()
def wide_runs(client: trackd.TrackingClient, experiment_id: str) -> list[str]:
    runs = []
    for n in range(3):
        run = client.create_run(experiment_id, run_name=f"wide-{n}").info.run_id
        client.log_batch(
            run,
            metrics=[trackd.Metric(f"m{i}", float(i + n), 1000 + i, 0) for i in range(30)],
            params=[trackd.Param(f"p{i}", f"v{i}") for i in range(30)],
            tags=[trackd.RunTag(f"t{i}", f"w{i}") for i in range(30)],
        )
        runs.append(run)
    return runs


def search(
    stubs: Stubs, experiment_id: str, mask: run_service_pb2.RunReadMask | None, **kw: Any
) -> list[run_pb2.Run]:
    runs, token = [], ""
    while True:
        reply = stubs.runs.SearchRuns(
            run_service_pb2.SearchRunsRequest(
                experiment_ids=[experiment_id],
                read_mask=mask,
                order_by=["attributes.run_name ASC"],
                page_token=token,
                **kw,
            )
        )
        runs.extend(reply.runs)
        token = reply.next_page_token
        if not token:
            return runs


def keys(items: object) -> list[str]:
    return [i.key for i in items]  # type: ignore[attr-defined]


def test_no_mask_returns_everything(stubs: Stubs, experiment_id: str, wide_runs: list[str]) -> None:
    runs = search(stubs, experiment_id, None)

    assert len(runs) == 3
    assert len(runs[0].data.metrics) == 30 and len(runs[0].data.params) == 30
    assert {t.key for t in runs[0].data.tags} == {f"t{i}" for i in range(30)} | SYSTEM_TAGS


def test_only_selected_metric_keys(stubs: Stubs, experiment_id: str, wide_runs: list[str]) -> None:
    mask = run_service_pb2.RunReadMask(metric_keys=["m3", "m17", "absent"])

    runs = search(stubs, experiment_id, mask)

    assert [r.info.run_id for r in runs] == wide_runs
    for n, run in enumerate(runs):
        assert [(m.key, m.value) for m in run.data.metrics] == [("m17", 17.0 + n), ("m3", 3.0 + n)]
        assert list(run.data.params) == [] and list(run.data.tags) == []
        assert run.info.run_name == f"wide-{n}"


def test_empty_mask_returns_info_only(
    stubs: Stubs, experiment_id: str, wide_runs: list[str]
) -> None:
    runs = search(stubs, experiment_id, run_service_pb2.RunReadMask())

    assert len(runs) == 3
    assert all(not r.data.metrics and not r.data.params and not r.data.tags for r in runs)
    assert all(r.info.status == run_pb2.RUN_STATUS_RUNNING for r in runs)


def test_all_flags_and_selected_keys_combine(
    stubs: Stubs, experiment_id: str, wide_runs: list[str]
) -> None:
    mask = run_service_pb2.RunReadMask(
        all_params=True, tag_keys=["t1", "mlflow.runName"], metric_keys=["m0"], all_metrics=False
    )

    run = search(stubs, experiment_id, mask)[0]

    assert keys(run.data.params) == sorted(f"p{i}" for i in range(30))
    assert keys(run.data.tags) == ["mlflow.runName", "t1"]
    assert keys(run.data.metrics) == ["m0"]


def test_mask_may_change_between_pages(
    stubs: Stubs, experiment_id: str, wide_runs: list[str]
) -> None:
    first = stubs.runs.SearchRuns(
        run_service_pb2.SearchRunsRequest(
            experiment_ids=[experiment_id], page_size=2, read_mask=run_service_pb2.RunReadMask()
        )
    )
    rest = stubs.runs.SearchRuns(
        run_service_pb2.SearchRunsRequest(
            experiment_ids=[experiment_id],
            page_size=2,
            page_token=first.next_page_token,
            read_mask=run_service_pb2.RunReadMask(all_tags=True),
        )
    )

    assert len(first.runs) == 2 and len(rest.runs) == 1
    assert {t.key for t in rest.runs[0].data.tags} == {f"t{i}" for i in range(30)} | SYSTEM_TAGS
    assert not rest.runs[0].data.metrics


def test_mask_works_with_filter_and_view(
    stubs: Stubs, experiment_id: str, wide_runs: list[str]
) -> None:
    runs = search(
        stubs,
        experiment_id,
        run_service_pb2.RunReadMask(metric_keys=["m1"]),
        filter="metrics.m1 > 1.5",
        view_type=common_pb2.VIEW_TYPE_ALL,
    )

    assert [r.info.run_id for r in runs] == wide_runs[1:]
    assert [keys(r.data.metrics) for r in runs] == [["m1"], ["m1"]]


def test_invalid_mask_key_names_the_field(stubs: Stubs, experiment_id: str) -> None:
    with pytest.raises(grpc.RpcError) as call:
        search(stubs, experiment_id, run_service_pb2.RunReadMask(param_keys=["x" * 251]))

    assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert error_info(call.value)[1]["field"] == "read_mask.param_keys"


def test_too_many_mask_keys_is_invalid(stubs: Stubs, experiment_id: str) -> None:
    with pytest.raises(grpc.RpcError) as call:
        search(
            stubs,
            experiment_id,
            run_service_pb2.RunReadMask(tag_keys=[f"k{i}" for i in range(1001)]),
        )

    assert call.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert error_info(call.value)[1] == {"field": "read_mask.tag_keys", "limit": "1000"}
