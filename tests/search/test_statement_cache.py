"""A search shape's statement is built once and shared; each page binds its own cursor."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from trackd_server.domain.entities import LifecycleStage
from trackd_server.service.search import run_search_spec
from trackd_server.store.protocol import RunSearch
from trackd_server.store.sql.runs import search as search_module
from trackd_server.store.sql.store import SqlStore

from tests.search.conftest import RunSeed, new_experiment, search_run_names, write_runs


def _seeds(prefix: str, count: int) -> list[RunSeed]:
    return [
        RunSeed(f"{prefix}{i:02d}", metrics={"m": float(i % 5)}, params={"p": "ab"[i % 2]})
        for i in range(count)
    ]


def test_later_pages_reuse_the_statement_of_their_shape(store: SqlStore) -> None:
    experiment_id = new_experiment(store)
    write_runs(store, experiment_id, _seeds("r", 12))
    filter_text, order = "params.p = 'a'", ["metrics.m DESC"]
    search_module._page_statements.cache_clear()
    names = search_run_names(store, experiment_id, filter_text, order, page_size=2)
    assert len(names) == 6
    info = search_module._page_statements.cache_info()
    # Page 1 (no cursor) and pages 2..3 (a cursor without NULLs) are two shapes.
    assert (info.misses, info.hits) == (2, 1)
    # The same search again builds nothing.
    assert search_run_names(store, experiment_id, filter_text, order, page_size=2) == names
    assert search_module._page_statements.cache_info().misses == 2


def test_threads_paging_one_shape_each_see_their_own_pages(store: SqlStore) -> None:
    experiments = [new_experiment(store) for _ in range(3)]
    expected = {}
    for n, experiment_id in enumerate(experiments):
        seeds = _seeds(f"e{n}-", 15 + n)
        write_runs(store, experiment_id, seeds)
        matching = [s for s in seeds if s.params["p"] == "a"]
        # The order the search gives: m descending, then run id (random) for ties; compare
        # as multisets of names per m value to stay independent of the ids.
        expected[experiment_id] = sorted(s.name for s in matching)
    spec = run_search_spec("params.p = 'a'", ["metrics.m DESC"])

    def page_through(experiment_id: int) -> list[tuple[str, float]]:
        seen: list[tuple[str, float]] = []
        cursor = None
        while True:
            with store.transaction(write=False) as tx:
                runs, cursor, _ = tx.search_runs(
                    RunSearch([experiment_id], [LifecycleStage.ACTIVE], spec), 2, cursor
                )
            seen.extend((r.info.run_name, r.data.metrics[0].value) for r in runs)
            if cursor is None:
                return seen
            cursor = json.loads(json.dumps(cursor))

    jobs = [e for e in experiments for _ in range(3)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(page_through, jobs))
    for experiment_id, seen in zip(jobs, results, strict=True):
        assert sorted(name for name, _ in seen) == expected[experiment_id]
        values = [value for _, value in seen]
        assert values == sorted(values, reverse=True)
