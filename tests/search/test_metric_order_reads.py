"""How a search ordered by a metric reads the store, on SQLite and PostgreSQL: the metric's
(key, experiment_id, value, run_id, is_nan) index is read without visiting the table, and the
second statement of a page (the runs without a value) never repeats a run of the first."""

from __future__ import annotations

from typing import Any

import sqlalchemy
from trackd_server.domain.entities import LifecycleStage
from trackd_server.service.search import run_search_spec
from trackd_server.store.protocol import RunSearch
from trackd_server.store.sql.store import SqlStore

from tests.search.conftest import RunSeed, new_experiment, write_runs
from tests.support.statements import recorded_statements

INDEX = "ix_latest_metrics_key_experiment_id_value_run_id_is_nan"


def _page(store: SqlStore, experiment_id: int, filter_text: str, order_by: str, size: int) -> Any:
    spec = run_search_spec(filter_text, [order_by])
    with store.transaction(write=False) as tx:
        runs, _, _ = tx.search_runs(
            RunSearch([experiment_id], [LifecycleStage.ACTIVE], spec), size, None
        )
    return [r.info.run_name for r in runs]


def test_metric_conditions_read_only_the_metric_index(store: SqlStore) -> None:
    experiment_id = new_experiment(store, "covering")
    seeds = [
        RunSeed(f"c{i:03d}", metrics={"m": float(i % 97), "f": float(i % 3)}) for i in range(400)
    ]
    write_runs(store, experiment_id, seeds)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # Index-only scans need the visibility map that VACUUM sets.
        conn.exec_driver_sql("VACUUM ANALYZE" if store.dialect == "postgresql" else "ANALYZE")

    def search() -> Any:
        return _page(store, experiment_id, "metrics.f = 1", "metrics.m DESC", 5)

    expected = sorted(
        (s for s in seeds if s.metrics["f"] == 1), key=lambda s: (-s.metrics["m"], s.name)
    )
    # run ids break ties, not names, so compare the sort values of the page
    names = search()
    assert [int(n[1:]) % 97 for n in names] == [int(s.name[1:]) % 97 for s in expected[:5]]
    with recorded_statements(store.engine) as statements:
        search()
    [(statement, parameters)] = [s for s in statements if "sort_0" in s[0]]
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            plan = "\n".join(conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
            # Whether PostgreSQL walks the sort metric or starts from the filter's metric
            # depends on the statistics of the shared test database; either way it reads
            # that index alone.
            uses = [line for line in plan.splitlines() if INDEX in line]
            assert uses, plan
            assert all("Index Only Scan" in line for line in uses), plan
        else:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plan = "\n".join(str(r[-1]) for r in rows)
            assert f"COVERING INDEX {INDEX}" in plan, plan


def test_a_run_whose_value_turns_nan_between_the_two_statements_comes_once(
    store: SqlStore,
) -> None:
    experiment_id = new_experiment(store, "turning")
    ids = write_runs(
        store,
        experiment_id,
        [RunSeed(f"v{i}", metrics={"m": float(i)}) for i in range(5)]
        + [RunSeed(f"w{i}") for i in range(2)],
    )
    turned: list[str] = []

    def turn_nan(_c: object, _k: object, statement: str, *_: object) -> None:
        # The second statement of the page selects runs with NOT EXISTS a value; just before
        # it runs, another connection logs NaN as v4's latest value.
        if "NOT (EXISTS" in statement and not turned:
            turned.append(ids["v4"])
            with store.engine.begin() as other:
                other.execute(
                    sqlalchemy.text(
                        "UPDATE latest_metrics SET is_nan = true, value = 0 "
                        "WHERE run_id = :run AND key = 'm'"
                    ),
                    {"run": ids["v4"]},
                )

    sqlalchemy.event.listen(store.engine, "before_cursor_execute", turn_nan)
    try:
        names = _page(store, experiment_id, "", "metrics.m", 10)
    finally:
        sqlalchemy.event.remove(store.engine, "before_cursor_execute", turn_nan)
    assert turned == [ids["v4"]]
    assert len(names) == len(set(names)) == 7, names
    assert names[:5] == ["v0", "v1", "v2", "v3", "v4"]
    assert sorted(names[5:]) == ["w0", "w1"]
