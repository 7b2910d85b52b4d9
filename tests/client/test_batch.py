"""log_batch: splitting into requests within the server's limits, atomicity of each request."""

from __future__ import annotations

import pytest
import trackd
from trackd import Metric, Param, RunTag
from trackd.exceptions import InvalidArgumentError

from .interceptors import Recorder


def test_large_batch_is_split_and_fully_written(tracking_uri: str, run_id: str) -> None:
    recorder = Recorder()
    client = trackd.TrackingClient(tracking_uri, interceptors=[recorder])
    metrics = [Metric("loss", 1.0 / (i + 1), 1_000_000 + i, i) for i in range(2500)]
    params = [Param(f"p{i:03d}", str(i)) for i in range(250)]
    tags = [RunTag(f"t{i:03d}", f"v{i}") for i in range(250)]

    client.log_batch(run_id, metrics=metrics, params=params, tags=tags)

    requests = recorder.requests("LogBatch")
    assert [len(r.metrics) for r in requests] == [1000, 1000, 500]
    assert [len(r.params) for r in requests] == [100, 100, 50]
    assert [len(r.tags) for r in requests] == [100, 100, 50]
    ids = [r.request_id for r in requests]
    assert all(ids) and len(set(ids)) == 3

    history = client.get_metric_history(run_id, "loss")
    assert history == metrics
    run = client.get_run(run_id)
    assert run.data.params == {p.key: p.value for p in params}
    assert {t.key: t.value for t in tags}.items() <= run.data.tags.items()
    assert run.data.metrics["loss"] == 1.0 / 2500


def test_batch_accepts_mappings(client: trackd.TrackingClient, run_id: str) -> None:
    client.log_batch(run_id, params={"a": 1, "b": "x"}, tags={"c": 2.5})
    data = client.get_run(run_id).data
    assert data.params == {"a": "1", "b": "x"}
    assert data.tags["c"] == "2.5"


def test_empty_batch_sends_nothing(tracking_uri: str, run_id: str) -> None:
    recorder = Recorder()
    trackd.TrackingClient(tracking_uri, interceptors=[recorder]).log_batch(run_id)
    assert recorder.requests("LogBatch") == []


def test_each_request_is_atomic(client: trackd.TrackingClient, run_id: str) -> None:
    too_long_key = "k" * 251
    with pytest.raises(InvalidArgumentError):
        client.log_batch(
            run_id,
            metrics=[Metric("good", 1.0, 1, 0)],
            params=[Param("good", "1"), Param(too_long_key, "1")],
        )
    data = client.get_run(run_id).data
    assert data.metrics == {} and data.params == {}


def test_invalid_metric_value_sends_nothing(tracking_uri: str, run_id: str) -> None:
    recorder = Recorder()
    client = trackd.TrackingClient(tracking_uri, interceptors=[recorder])
    metrics = [Metric("m", float(i), 1, i) for i in range(1500)]
    metrics.append(Metric("m", True, 1, 1500))  # a bool is not a metric value
    with pytest.raises(InvalidArgumentError):
        client.log_batch(run_id, metrics=metrics)
    assert recorder.requests("LogBatch") == []
