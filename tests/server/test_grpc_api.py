"""The gRPC surface of a real server process: status codes, ErrorInfo, concurrency, retries."""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Iterator

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from trackd.v1 import (
    experiment_service_pb2 as exp_pb,
)
from trackd.v1 import (
    experiment_service_pb2_grpc as exp_grpc,
)
from trackd.v1 import (
    metric_service_pb2 as met_pb,
)
from trackd.v1 import (
    metric_service_pb2_grpc as met_grpc,
)
from trackd.v1 import (
    run_pb2,
)
from trackd.v1 import (
    run_service_pb2 as run_pb,
)
from trackd.v1 import (
    run_service_pb2_grpc as run_grpc,
)


class Stubs:
    def __init__(self, channel: grpc.Channel) -> None:
        self.experiments = exp_grpc.ExperimentServiceStub(channel)
        self.runs = run_grpc.RunServiceStub(channel)
        self.metrics = met_grpc.MetricServiceStub(channel)


@pytest.fixture(scope="module")
def channel(tracking_uri: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(tracking_uri.removeprefix("grpc://")) as ch:
        yield ch


@pytest.fixture(scope="module")
def stubs(channel: grpc.Channel) -> Stubs:
    return Stubs(channel)


@pytest.fixture()
def run_id(stubs: Stubs, unique_name: str) -> str:
    exp = stubs.experiments.CreateExperiment(
        exp_pb.CreateExperimentRequest(name=unique_name)
    ).experiment
    return str(
        stubs.runs.CreateRun(
            run_pb.CreateRunRequest(experiment_id=exp.experiment_id)
        ).run.info.run_id
    )


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "no google.rpc.Status in the trailers"
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return info


def expect(code: grpc.StatusCode, reason: str, call: object) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code() == code, caught.value.details()
    info = error_info(caught.value)
    assert info.reason == reason and info.domain == "trackd.io"
    return str(caught.value.details())


def test_every_error_code_carries_error_info(stubs: Stubs, run_id: str, unique_name: str) -> None:
    missing_run = "0" * 32
    expect(
        grpc.StatusCode.NOT_FOUND,
        "RUN_NOT_FOUND",
        lambda: stubs.runs.GetRun(run_pb.GetRunRequest(run_id=missing_run)),
    )
    expect(
        grpc.StatusCode.NOT_FOUND,
        "EXPERIMENT_NOT_FOUND",
        lambda: stubs.experiments.GetExperiment(
            exp_pb.GetExperimentRequest(experiment_id="123456789")
        ),
    )
    stubs.experiments.CreateExperiment(exp_pb.CreateExperimentRequest(name=unique_name + "-dup"))
    expect(
        grpc.StatusCode.ALREADY_EXISTS,
        "EXPERIMENT_NAME_TAKEN",
        lambda: stubs.experiments.CreateExperiment(
            exp_pb.CreateExperimentRequest(name=unique_name + "-dup")
        ),
    )
    stubs.runs.LogParam(run_pb.LogParamRequest(run_id=run_id, key="lr", value="0.1"))
    message = expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        "PARAM_VALUE_CHANGED",
        lambda: stubs.runs.LogParam(run_pb.LogParamRequest(run_id=run_id, key="lr", value="0.2")),
    )
    assert "'lr'" in message and "'0.1'" in message and "'0.2'" in message
    message = expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        "BATCH_TOO_LARGE",
        lambda: stubs.runs.LogBatch(
            run_pb.LogBatchRequest(run_id=run_id, metrics=[run_pb2.Metric(key="m", value=1)] * 1001)
        ),
    )
    assert "1000" in message
    stubs.runs.DeleteRun(run_pb.DeleteRunRequest(run_id=run_id))
    expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        "RUN_DELETED",
        lambda: stubs.metrics.LogMetric(met_pb.LogMetricRequest(run_id=run_id, key="m", value=1)),
    )
    expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
        lambda: stubs.experiments.SearchExperiments(
            exp_pb.SearchExperimentsRequest(page_token="x.y")
        ),
    )


def test_oversized_message_is_resource_exhausted(stubs: Stubs, run_id: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stubs.runs.LogParam(
            run_pb.LogParamRequest(run_id=run_id, key="k", value="v" * (17 * 1024 * 1024))
        )
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_nan_and_inf_over_the_wire(stubs: Stubs, run_id: str) -> None:
    values = [math.nan, math.inf, -math.inf]
    stubs.runs.LogBatch(
        run_pb.LogBatchRequest(
            run_id=run_id,
            metrics=[
                run_pb2.Metric(key=f"m{i}", value=v, timestamp=1, step=0)
                for i, v in enumerate(values)
            ],
        )
    )
    got = {
        m.key: m.value
        for m in stubs.runs.GetRun(run_pb.GetRunRequest(run_id=run_id)).run.data.metrics
    }
    assert math.isnan(got["m0"]) and got["m1"] == math.inf and got["m2"] == -math.inf


def test_retried_create_run_makes_no_ghost(stubs: Stubs, unique_name: str) -> None:
    exp_id = stubs.experiments.CreateExperiment(
        exp_pb.CreateExperimentRequest(name=unique_name)
    ).experiment.experiment_id
    request = run_pb.CreateRunRequest(
        experiment_id=exp_id, run_name="r", request_id=str(uuid.uuid4())
    )
    answers = {stubs.runs.CreateRun(request).run.info.run_id for _ in range(4)}
    assert len(answers) == 1
    found = stubs.runs.SearchRuns(run_pb.SearchRunsRequest(experiment_ids=[exp_id])).runs
    assert [r.info.run_id for r in found] == list(answers)


def test_concurrent_retries_of_one_request_write_once(stubs: Stubs, run_id: str) -> None:
    request = run_pb.LogBatchRequest(
        run_id=run_id,
        metrics=[
            run_pb2.Metric(key="race", value=float(i), timestamp=1, step=i) for i in range(100)
        ],
        request_id=uuid.uuid4().hex,
    )
    threads = [threading.Thread(target=stubs.runs.LogBatch, args=(request,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    history = stubs.metrics.GetMetricHistory(
        met_pb.GetMetricHistoryRequest(run_id=run_id, metric_key="race")
    )
    assert len(history.metrics) == 100


def test_eight_writers_on_one_run_lose_nothing(stubs: Stubs, run_id: str) -> None:
    """8 threads log metrics, params, tags and renames to one run at once: no deadlock
    (which would surface as an error), and every point arrives."""
    errors: list[BaseException] = []
    batches, per_batch = 15, 40

    def writer(w: int) -> None:
        try:
            for b in range(batches):
                stubs.runs.LogBatch(
                    run_pb.LogBatchRequest(
                        run_id=run_id,
                        metrics=[
                            run_pb2.Metric(
                                key=f"k{(i + w) % 5}", value=float(i), timestamp=1 + b, step=b
                            )
                            for i in range(per_batch)
                        ],
                        params=[
                            run_pb2.Param(key=f"p{w}-{b}", value="v"),
                            run_pb2.Param(key="shared", value="same"),
                        ],
                        tags=[
                            run_pb2.RunTag(key=f"t{(b + w) % 3}", value=str(w)),
                            run_pb2.RunTag(key="mlflow.runName", value=f"w{w}"),
                        ],
                        request_id=uuid.uuid4().hex,
                    ),
                    timeout=60,
                )
                stubs.metrics.LogMetric(
                    met_pb.LogMetricRequest(run_id=run_id, key="single", value=w, step=b),
                    timeout=60,
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = 0
    for key in [f"k{i}" for i in range(5)] + ["single"]:
        token = ""
        while True:
            page = stubs.metrics.GetMetricHistory(
                met_pb.GetMetricHistoryRequest(run_id=run_id, metric_key=key, page_token=token)
            )
            total += len(page.metrics)
            token = page.next_page_token
            if not token:
                break
    assert total == 8 * batches * (per_batch + 1)
    run = stubs.runs.GetRun(run_pb.GetRunRequest(run_id=run_id)).run
    assert len(run.data.params) == 8 * batches + 1
    assert run.info.run_name in {f"w{w}" for w in range(8)}
