"""search_runs: lazy paging over several pages, single pages with tokens, filters, order."""

from __future__ import annotations

import itertools

import trackd
from trackd import RunStatus, ViewType

from .interceptors import Recorder


def test_iterator_walks_every_page(tracking_uri: str, experiment_id: str) -> None:
    setup = trackd.TrackingClient(tracking_uri)
    created = {setup.create_run(experiment_id).info.run_id for _ in range(250)}
    recorder = Recorder()
    client = trackd.TrackingClient(tracking_uri, interceptors=[recorder])

    runs = client.search_runs(experiment_id, page_size=100)
    assert recorder.requests("SearchRuns") == []  # lazy: nothing fetched yet
    first = list(itertools.islice(runs, 10))
    assert len(recorder.requests("SearchRuns")) == 1
    rest = list(runs)

    ids = [r.info.run_id for r in first + rest]
    assert len(ids) == 250 and set(ids) == created
    requests = recorder.requests("SearchRuns")
    assert [r.page_size for r in requests] == [100, 100, 100]
    assert requests[0].page_token == "" and requests[1].page_token and requests[2].page_token

    # Default order: newest first.
    start_times = [r.info.start_time for r in first + rest]
    assert start_times == sorted(start_times, reverse=True)


def test_max_results_stops_early(tracking_uri: str, experiment_id: str) -> None:
    setup = trackd.TrackingClient(tracking_uri)
    for _ in range(30):
        setup.create_run(experiment_id)
    recorder = Recorder()
    client = trackd.TrackingClient(tracking_uri, interceptors=[recorder])

    assert len(list(client.search_runs(experiment_id, max_results=25, page_size=10))) == 25
    assert len(recorder.requests("SearchRuns")) == 3
    assert len(list(client.search_runs(experiment_id, max_results=7))) == 7
    assert recorder.requests("SearchRuns")[-1].page_size == 7


def test_search_runs_page_tokens(client: trackd.TrackingClient, experiment_id: str) -> None:
    created = {client.create_run(experiment_id).info.run_id for _ in range(5)}

    first = client.search_runs_page([experiment_id], max_results=2)
    assert len(first) == 2 and first.token
    second = client.search_runs_page([experiment_id], max_results=2, page_token=first.token)
    third = client.search_runs_page([experiment_id], max_results=2, page_token=second.token)
    assert len(third) == 1 and third.token is None
    assert {r.info.run_id for r in first + second + third} == created


def test_filter_order_and_view_type(client: trackd.TrackingClient, experiment_id: str) -> None:
    ids = []
    for i, (loss, optimizer) in enumerate([(0.3, "adam"), (0.1, "sgd"), (0.2, "adam")]):
        run_id = client.create_run(experiment_id, run_name=f"r{i}").info.run_id
        client.log_metric(run_id, "loss", loss)
        client.log_param(run_id, "optimizer", optimizer)
        ids.append(run_id)
    client.set_terminated(ids[2])

    adam = client.search_runs(
        experiment_id, "params.optimizer = 'adam'", order_by=["metrics.loss ASC"]
    )
    assert [r.info.run_id for r in adam] == [ids[2], ids[0]]
    low = client.search_runs(experiment_id, "metrics.loss < 0.25", order_by=["metrics.loss DESC"])
    assert [r.data.metrics["loss"] for r in low] == [0.2, 0.1]
    finished = list(client.search_runs(experiment_id, "attributes.status = 'FINISHED'"))
    assert [(r.info.run_id, r.info.status) for r in finished] == [(ids[2], RunStatus.FINISHED)]

    client.delete_run(ids[1])
    assert len(list(client.search_runs(experiment_id))) == 2
    assert len(list(client.search_runs(experiment_id, run_view_type=ViewType.ALL))) == 3
    assert len(list(client.search_runs(experiment_id, run_view_type=3))) == 3
    deleted = client.search_runs(experiment_id, run_view_type="DELETED_ONLY")
    assert [r.info.run_id for r in deleted] == [ids[1]]


def test_search_over_several_experiments(
    client: trackd.TrackingClient, experiment_id: str, unique_name: str
) -> None:
    other = client.create_experiment(f"{unique_name}-other")
    a = client.create_run(experiment_id).info.run_id
    b = client.create_run(other).info.run_id
    found = {r.info.run_id for r in client.search_runs([experiment_id, other])}
    assert found == {a, b}
