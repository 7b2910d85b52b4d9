"""A search page carries each run's data exactly as a read by id returns it.

On PostgreSQL the page's tags, params and metrics come back as JSON from the search statement
itself; a read by id takes the UNION ALL path. These tests compare the two with values that a
JSON round trip could bend: extreme and subnormal floats, infinities, NaN, int64 limits,
strings with quotes, backslashes, control characters and non-BMP characters, long values.
"""

from __future__ import annotations

import math
import sys

import pytest
from trackd_server.domain.entities import LifecycleStage, Metric, Run
from trackd_server.service.search import run_search_spec
from trackd_server.store.protocol import KeySelection, RunReadMask, RunSearch
from trackd_server.store.sql.store import SqlStore

from tests.search.conftest import RunSeed, new_experiment, write_runs

INT64_MAX = 2**63 - 1
AWKWARD_FLOATS = {
    "a_tiny": 5e-324,
    "b_third": 1 / 3,
    "c_big": sys.float_info.max,
    "d_neg_zero": -0.0,
    "e_inf": math.inf,
    "f_neg_inf": -math.inf,
    "g_nan": math.nan,
    "h_precise": 0.1 + 0.2,
    "i_integral": 3.0,
    "j_negative": -123456.789e-10,
}
AWKWARD_STRINGS = {
    "quote": "say \"hi\" and 'bye'",
    "backslash": "C:\\path\\to\\file \\u0041",
    "control": "tab\there\nnewline\r\x01\x1f",
    "unicode": "naïve 日本語 🚀 \u2028",
    "json_like": '{"key": [1, 2, null]}',
    "empty": "",
    "long": "x" * 5999 + "é",
}


def _page(store: SqlStore, experiment_id: int, mask: RunReadMask | None = None) -> list[Run]:
    spec = run_search_spec("", ["attributes.run_name"])
    with store.transaction(write=False) as tx:
        runs, cursor, _ = tx.search_runs(
            RunSearch([experiment_id], [LifecycleStage.ACTIVE], spec, mask), 100, None
        )
    assert cursor is None
    return runs


def _by_id(store: SqlStore, run_id: str) -> Run:
    with store.transaction(write=False) as tx:
        run = tx.runs.get(run_id)
    assert run is not None
    return run


def _same_metrics(got: tuple[Metric, ...], want: tuple[Metric, ...]) -> None:
    assert [(m.key, m.step, m.timestamp) for m in got] == [
        (m.key, m.step, m.timestamp) for m in want
    ]
    for g, w in zip(got, want, strict=True):
        if math.isnan(w.value):
            assert math.isnan(g.value), g
        else:
            # Bit for bit: the sign of zero and the last digit of 1/3 survive.
            assert math.copysign(1.0, g.value) == math.copysign(1.0, w.value), g
            assert g.value == w.value and type(g.value) is float, g


def test_page_data_equals_read_by_id_for_awkward_values(store: SqlStore) -> None:
    experiment_id = new_experiment(store)
    ids = write_runs(
        store,
        experiment_id,
        [
            RunSeed(
                "awkward", metrics=AWKWARD_FLOATS, params=AWKWARD_STRINGS, tags=AWKWARD_STRINGS
            ),
            RunSeed("bare"),
        ],
    )
    # Extreme steps and timestamps, written after the seed's own points.
    with store.transaction(write=True) as tx:
        tx.metrics.append(
            ids["awkward"],
            experiment_id,
            [
                Metric("k_int64", 1.5, timestamp=INT64_MAX, step=INT64_MAX),
                Metric("l_negative_step", 2.5, timestamp=-(2**63), step=-(2**63)),
            ],
        )
    awkward, bare = _page(store, experiment_id)
    assert awkward.info == _by_id(store, ids["awkward"]).info
    expected = _by_id(store, ids["awkward"]).data
    assert len(awkward.data.metrics) == len(AWKWARD_FLOATS) + 2
    _same_metrics(awkward.data.metrics, expected.metrics)
    assert awkward.data.params == expected.params
    assert awkward.data.tags == expected.tags
    assert {p.key: p.value for p in awkward.data.params} == AWKWARD_STRINGS
    int64 = next(m for m in awkward.data.metrics if m.key == "k_int64")
    assert (int64.step, int64.timestamp) == (INT64_MAX, INT64_MAX)
    # A run without data has empty tuples, not None.
    assert bare.data.metrics == () and bare.data.params == () and bare.data.tags == ()


def test_page_data_is_sorted_by_key_like_a_read_by_id(store: SqlStore) -> None:
    experiment_id = new_experiment(store)
    keys = ["b", "a", "B", "a.b", "a-b", "a b", "z", "_", "10", "9"]
    ids = write_runs(
        store,
        experiment_id,
        [RunSeed("r", metrics=dict.fromkeys(keys, 1.0), params=dict.fromkeys(keys, "v"))],
    )
    (run,) = _page(store, experiment_id)
    expected = _by_id(store, ids["r"]).data
    assert [m.key for m in run.data.metrics] == [m.key for m in expected.metrics]
    assert [p.key for p in run.data.params] == [p.key for p in expected.params]
    assert sorted(p.key for p in run.data.params) == sorted(keys)


@pytest.mark.parametrize(
    ("mask", "metrics", "params", "tags"),
    [
        (RunReadMask(), ["m1", "m2"], ["p1", "p2"], ["t1"]),
        (
            RunReadMask(
                metrics=KeySelection(frozenset({"m2", "absent"})),
                params=KeySelection(frozenset()),
                tags=KeySelection(frozenset({"t1"})),
            ),
            ["m2"],
            [],
            ["t1"],
        ),
        (
            RunReadMask(
                metrics=KeySelection(frozenset()),
                params=KeySelection(frozenset({"p1"})),
                tags=KeySelection(frozenset()),
            ),
            [],
            ["p1"],
            [],
        ),
    ],
)
def test_read_mask_selects_page_data(
    store: SqlStore, mask: RunReadMask, metrics: list[str], params: list[str], tags: list[str]
) -> None:
    experiment_id = new_experiment(store)
    write_runs(
        store,
        experiment_id,
        [
            RunSeed(
                f"r{i}",
                metrics={"m1": 1.0, "m2": 2.0},
                params={"p1": "a", "p2": "b"},
                tags={"t1": "x"},
            )
            for i in range(3)
        ],
    )
    runs = _page(store, experiment_id, mask)
    assert [r.info.run_name for r in runs] == ["r0", "r1", "r2"]
    for run in runs:
        assert [m.key for m in run.data.metrics] == metrics
        assert [p.key for p in run.data.params] == params
        assert [t.key for t in run.data.tags] == tags
