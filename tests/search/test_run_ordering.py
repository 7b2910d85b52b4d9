"""Run ordering and keyset paging against a real store, on SQLite and PostgreSQL: any metric,
param, tag or attribute, both directions, several keys, missing values and NaN last, run_id as
the tie-break, and pages that together hold every run exactly once."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from trackd_server.domain.entities import LifecycleStage, RunStatus
from trackd_server.domain.filters import split_sort_key
from trackd_server.service.search import run_search_spec
from trackd_server.store.protocol import RunSearch
from trackd_server.store.sql.store import SqlStore

from tests.search.conftest import NAN, RunSeed, new_experiment, search_run_names, write_runs
from tests.support.statements import recorded_statements

STATUSES = list(RunStatus)


def seed(i: int) -> RunSeed:
    metrics: dict[str, float] = {}
    if i % 10 != 0:  # every tenth run lacks the metric, and two in ten are NaN
        metrics["m"] = NAN if i % 10 == 5 else [1.0, 2.0, 3.0][i % 3]
    if i % 2 == 0:
        metrics["val loss"] = i * 0.5
    return RunSeed(
        f"r{i:02d}",
        metrics=metrics,
        params={} if i % 6 == 0 else {"p": f"p{i % 4}"},
        tags={} if i % 7 == 0 else {"t": f"t{i % 2}"},
        status=STATUSES[i % 3],
        start_time=1000 + i % 5,
        end_time=None if i % 4 == 0 else 5000 + i % 3,
    )


SEEDS = [seed(i) for i in range(30)]


@pytest.fixture(scope="module")
def runs(store: SqlStore) -> tuple[int, dict[str, str]]:
    experiment_id = new_experiment(store)
    return experiment_id, write_runs(store, experiment_id, SEEDS)


def sort_value(run: RunSeed, name: str) -> Any:
    kind, key = split_sort_key(name)
    if kind == "metric":
        value = run.metrics.get(key)
        return None if value is None or value != value else value
    if kind == "param":
        return run.params.get(key)
    if kind == "tag":
        return run.tags.get(key)
    attribute: Callable[[RunSeed], Any] = {
        "start_time": lambda r: r.start_time,
        "end_time": lambda r: r.end_time,
        "status": lambda r: r.status.value,
        "run_name": lambda r: r.name,
    }[key]
    return attribute(run)


def expected_order(ids: dict[str, str], order: Sequence[tuple[str, bool]]) -> list[str]:
    """Reference order: each key in turn from the last, stable sorts, missing values last in
    either direction, run_id ascending as the final tie-break."""
    ordered = sorted(SEEDS, key=lambda r: ids[r.name])
    for name, descending in reversed(order):
        present = [r for r in ordered if sort_value(r, name) is not None]
        missing = [r for r in ordered if sort_value(r, name) is None]
        present.sort(key=functools.partial(sort_value, name=name), reverse=descending)
        ordered = present + missing
    return [r.name for r in ordered]


ORDERS = [
    ["metrics.m"],
    ["metrics.m DESC"],
    ["metrics.`val loss` desc"],
    ["params.p"],
    ["params.p DESC"],
    ["tags.t DESC"],
    ["tags.t", "metrics.m DESC"],
    ["metrics.m DESC", "params.p"],
    ["params.p DESC", "tags.t", "end_time DESC"],
    ["status", "start_time DESC"],
    ["end_time"],
    ["end_time DESC"],
    ["attributes.start_time"],
    ["run_name DESC"],
]


def parse_order(items: Sequence[str]) -> list[tuple[str, bool]]:
    order = []
    for item in items:
        name, _, direction = item.replace("`", "").rpartition(" ")
        if direction.lower() not in ("asc", "desc"):
            name, direction = item.replace("`", ""), "asc"
        name = name.removeprefix("attributes.")
        order.append((name, direction.lower() == "desc"))
    return order


@pytest.mark.parametrize("page_size", [1, 7, 1000])
@pytest.mark.parametrize("order_by", ORDERS, ids=[", ".join(o) for o in ORDERS])
def test_order_and_pages(
    store: SqlStore, runs: tuple[int, dict[str, str]], order_by: list[str], page_size: int
) -> None:
    experiment_id, ids = runs
    names = search_run_names(store, experiment_id, order_by=order_by, page_size=page_size)
    assert sorted(names) == sorted(ids)  # every run exactly once
    assert names == expected_order(ids, parse_order(order_by))


def test_three_values_in_pages_of_seven(store: SqlStore) -> None:
    experiment_id = new_experiment(store)
    ids = write_runs(
        store, experiment_id, [RunSeed(f"s{i:02d}", metrics={"m": float(i % 3)}) for i in range(30)]
    )
    for descending in (False, True):
        names = search_run_names(
            store,
            experiment_id,
            order_by=[f"metrics.m {'DESC' if descending else 'ASC'}"],
            page_size=7,
        )
        assert sorted(names) == sorted(ids)
        values = [int(name[1:]) % 3 for name in names]
        assert values == sorted(values, reverse=descending)
        for value in range(3):
            tied = [ids[n] for n in names if int(n[1:]) % 3 == value]
            assert tied == sorted(tied)  # run_id breaks ties, ascending in both directions


def test_default_order_is_newest_first(store: SqlStore, runs: tuple[int, dict[str, str]]) -> None:
    experiment_id, ids = runs
    assert search_run_names(store, experiment_id, page_size=4) == expected_order(
        ids, [("start_time", True)]
    )


def test_missing_and_nan_last_in_both_directions(store: SqlStore) -> None:
    experiment_id = new_experiment(store)
    write_runs(
        store,
        experiment_id,
        [
            RunSeed("nan", metrics={"m": NAN}),
            RunSeed("none"),
            RunSeed("low", metrics={"m": -1e308}),
            RunSeed("high", metrics={"m": float("inf")}),
            RunSeed("mid", metrics={"m": 0.0}),
        ],
    )
    for page_size in (1, 2, 10):
        asc = search_run_names(store, experiment_id, order_by=["metrics.m"], page_size=page_size)
        desc = search_run_names(
            store, experiment_id, order_by=["metrics.m DESC"], page_size=page_size
        )
        assert asc[:3] == ["low", "mid", "high"]
        assert desc[:3] == ["high", "mid", "low"]
        assert set(asc[3:]) == set(desc[3:]) == {"nan", "none"}


def test_filter_and_order_together(store: SqlStore, runs: tuple[int, dict[str, str]]) -> None:
    experiment_id, ids = runs
    text = "metrics.m >= 2 OR params.p IN ('p1', 'p3')"
    names = search_run_names(
        store, experiment_id, text, order_by=["metrics.m DESC", "params.p"], page_size=3
    )

    def keep(run: RunSeed) -> bool:
        m = run.metrics.get("m")
        return (m is not None and m >= 2) or run.params.get("p") in ("p1", "p3")

    wanted = {r.name for r in SEEDS if keep(r)}
    assert names == [
        n for n in expected_order(ids, [("metrics.m", True), ("params.p", False)]) if n in wanted
    ]


def test_pages_neither_skip_nor_repeat_while_runs_are_added(store: SqlStore) -> None:
    experiment_id = new_experiment(store)
    ids = write_runs(
        store, experiment_id, [RunSeed(f"q{i:02d}", metrics={"m": float(i % 4)}) for i in range(20)]
    )
    spec = run_search_spec("", ["metrics.m"])
    seen: list[str] = []
    cursor = None
    added = 0
    while True:
        with store.transaction(write=False) as tx:
            runs, cursor, _ = tx.search_runs(
                RunSearch([experiment_id], [LifecycleStage.ACTIVE], spec), 6, cursor
            )
        seen.extend(r.info.run_name for r in runs)
        if cursor is None:
            break
        # A run that sorts before the page boundary appears between two page reads.
        write_runs(store, experiment_id, [RunSeed(f"new{added}", metrics={"m": -1.0})])
        added += 1
    original = [n for n in seen if n.startswith("q")]
    assert sorted(original) == sorted(ids)


@pytest.mark.parametrize(
    ("order_by", "with_value"),
    # with_value: how many matching runs have a value for the first sort key
    [(["metrics.m"], 24), (["params.p DESC", "metrics.m"], 25), (["start_time DESC"], None)],
)
def test_each_page_is_one_statement_with_its_data(
    store: SqlStore, runs: tuple[int, dict[str, str]], order_by: list[str], with_value: int | None
) -> None:
    experiment_id = runs[0]
    spec = run_search_spec("metrics.m > 0 OR params.p IS NOT NULL", order_by)
    cursor = None
    per_page: list[int] = []
    with recorded_statements(store.engine) as statements:
        while True:
            before = len(statements)
            with store.transaction(write=False) as tx:
                _, cursor, _ = tx.search_runs(
                    RunSearch([experiment_id], [LifecycleStage.ACTIVE], spec), 4, cursor
                )
            per_page.append(len(statements) - before)
            if cursor is None:
                break
            cursor = json.loads(json.dumps(cursor))
    assert len(per_page) > 3
    # PostgreSQL reads each page's runs with their data in one statement; SQLite reads the
    # data in a second one. A search by value reads the runs without a value with one
    # statement more on the pages whose first statement (asking for five runs to learn
    # whether more follow) reaches past the last run with a value.
    reads = 1 if store.dialect == "postgresql" else 2
    crossing = set()
    if with_value is not None:
        crossing = {k for k in range(len(per_page)) if with_value - 4 <= 4 * k <= with_value}
    assert per_page == [reads + (k in crossing) for k in range(len(per_page))]


def _m(run: RunSeed) -> float | None:
    value = run.metrics.get("m")
    return None if value is None or math.isnan(value) else value


FILTERED_ORDERS = [
    # filters on the sort metric itself (the sort join takes them over)
    ("metrics.m >= 2", ["metrics.m DESC"], lambda r: (_m(r) or 0) >= 2),
    ("metrics.m >= 2", ["metrics.m"], lambda r: (_m(r) or 0) >= 2),
    (
        "metrics.m IN (1, 3) AND params.p IS NOT NULL",
        ["metrics.m DESC", "params.p"],
        lambda r: _m(r) in (1.0, 3.0) and "p" in r.params,
    ),
    ("metrics.m < 3 AND metrics.m > 1", ["metrics.m", "tags.t DESC"], lambda r: _m(r) == 2.0),
    # NaN satisfies != and sorts with the missing: the second part must still be read
    ("metrics.m != 2", ["metrics.m"], lambda r: "m" in r.metrics and _m(r) != 2.0),
    ("NOT metrics.m = 2", ["metrics.m DESC"], lambda r: "m" in r.metrics and _m(r) != 2.0),
    (
        "params.p = 'p1' OR metrics.m = 3",
        ["metrics.m DESC"],
        lambda r: r.params.get("p") == "p1" or _m(r) == 3.0,
    ),
]


@pytest.mark.parametrize("page_size", [1, 4, 1000])
@pytest.mark.parametrize(
    ("text", "order_by", "keep"), FILTERED_ORDERS, ids=[f[0] for f in FILTERED_ORDERS]
)
def test_filtered_order_and_pages(
    store: SqlStore,
    runs: tuple[int, dict[str, str]],
    text: str,
    order_by: list[str],
    keep: Callable[[RunSeed], bool],
    page_size: int,
) -> None:
    experiment_id, ids = runs
    names = search_run_names(store, experiment_id, text, order_by, page_size)
    wanted = {r.name for r in SEEDS if keep(r)}
    assert wanted  # the case tests something
    assert names == [n for n in expected_order(ids, parse_order(order_by)) if n in wanted]
