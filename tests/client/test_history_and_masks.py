"""Downsampled and bulk metric history, and search read masks, through the Python client."""

from __future__ import annotations

import math

import pytest
import trackd
from trackd import InvalidArgumentError, Metric


def _log_series(client: trackd.TrackingClient, run_id: str, key: str, n: int) -> None:
    points = [
        Metric(key, math.sin(i / 50.0) + (5.0 if i == 777 else 0.0), 1000 + i, i) for i in range(n)
    ]
    client.log_batch(run_id, metrics=points)


def test_downsampled_history_keeps_first_last_and_extremes(
    client: trackd.TrackingClient, run_id: str
) -> None:
    _log_series(client, run_id, "loss", 5000)
    full = client.get_metric_history(run_id, "loss")
    small = client.get_metric_history(run_id, "loss", max_points=200)
    assert len(full) == 5000
    assert 4 < len(small) <= 200
    assert small[0] == full[0] and small[-1] == full[-1]
    assert max(p.value for p in small) == max(p.value for p in full)  # the spike at step 777
    assert min(p.value for p in small) == min(p.value for p in full)
    assert [p.step for p in small] == sorted(p.step for p in small)
    ranged = client.get_metric_history(run_id, "loss", start_step=100, end_step=199)
    assert [p.step for p in ranged] == list(range(100, 200))
    short = client.get_metric_history(run_id, "loss", max_points=1000, start_step=10, end_step=19)
    assert short == full[10:20]  # a series within the budget comes back exactly


def test_bulk_history(client: trackd.TrackingClient, experiment_id: str) -> None:
    runs = [client.create_run(experiment_id).info.run_id for _ in range(3)]
    for run in runs:
        _log_series(client, run, "a", 300)
        _log_series(client, run, "b", 30)
    series = client.get_metric_history_bulk(runs, ["a", "b", "missing"], max_points=40)
    assert [(s.run_id, s.key) for s in series] == [(r, k) for r in runs for k in ("a", "b")]
    for s in series:
        assert len(s.points) <= 40 and s.points[0].step == 0
        assert s.total_points == (300 if s.key == "a" else 30)
        assert s.downsampled == (s.key == "a")
    with pytest.raises(InvalidArgumentError) as caught:
        client.get_metric_history_bulk([f"{i:032x}" for i in range(101)], ["a"])
    assert "100" in caught.value.message


def test_search_read_mask(client: trackd.TrackingClient, experiment_id: str) -> None:
    run_id = client.create_run(experiment_id).info.run_id
    client.log_batch(
        run_id,
        metrics=[Metric("keep", 1.0, 1, 0), Metric("drop", 2.0, 1, 0)],
        params={"p1": "a", "p2": "b"},
        tags={"t": "v"},
    )
    (run,) = client.search_runs(experiment_id, metric_keys=["keep"], param_keys=[], tag_keys=None)
    assert run.data.metrics == {"keep": 1.0}
    assert run.data.params == {}
    assert run.data.tags["t"] == "v"
    (whole,) = client.search_runs(experiment_id)
    assert set(whole.data.metrics) == {"keep", "drop"} and set(whole.data.params) == {"p1", "p2"}
