"""Param and tag equality filters go through the (key, value prefix, run_id) index: values at,
around and beyond the indexed prefix length must still match exactly, and PostgreSQL must
actually use the index for a selective filter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from trackd_server.service.search import run_search_spec
from trackd_server.store.sql.filters import compile_run_filter
from trackd_server.store.sql.models import VALUE_PREFIX, ParamRow, RunRow
from trackd_server.store.sql.store import SqlStore

from tests.search.conftest import RunSeed, new_experiment, search_run_names, write_runs
from tests.support.stores import upgraded_store

BASE = "é" * (VALUE_PREFIX - 1)  # multi-byte: the prefix counts characters, not bytes
VALUES = {
    "short": "x",
    "below": BASE,  # one character shorter than the prefix
    "exact": BASE + "a",  # exactly the prefix length
    "longer-a": BASE + "a" + "tail-a" * 200,  # shares the 200-character prefix with "exact"
    "longer-b": BASE + "a" + "tail-b" * 200,
    "empty": "",
}


@pytest.fixture(scope="module")
def runs(store: SqlStore) -> int:
    experiment_id = new_experiment(store, "prefix")
    write_runs(
        store,
        experiment_id,
        [RunSeed(name, params={"p": v}, tags={"t": v}) for name, v in VALUES.items()],
    )
    return experiment_id


def quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@pytest.mark.parametrize("kind", ["params", "tags"])
@pytest.mark.parametrize("name", list(VALUES))
def test_equality_matches_exactly_one_run(store: SqlStore, runs: int, kind: str, name: str) -> None:
    assert search_run_names(store, runs, f"{kind}.{kind[0]} = {quoted(VALUES[name])}") == [name]


@pytest.mark.parametrize("kind", ["params", "tags"])
def test_in_list_mixes_short_and_long_values(store: SqlStore, runs: int, kind: str) -> None:
    wanted = ["short", "exact", "longer-b", "empty"]
    listed = ", ".join(quoted(VALUES[n]) for n in wanted)
    found = search_run_names(store, runs, f"{kind}.{kind[0]} IN ({listed})")
    assert sorted(found) == sorted(wanted)
    negated = search_run_names(store, runs, f"{kind}.{kind[0]} NOT IN ({listed})")
    assert sorted(negated) == sorted(set(VALUES) - set(wanted))


@pytest.mark.parametrize("kind", ["params", "tags"])
def test_prefix_alone_does_not_match_a_longer_value(store: SqlStore, runs: int, kind: str) -> None:
    prefix_of_long = (BASE + "a" + "tail-a" * 200)[: VALUE_PREFIX + 3]
    assert search_run_names(store, runs, f"{kind}.{kind[0]} = {quoted(prefix_of_long)}") == []
    assert search_run_names(store, runs, f"NOT {kind}.{kind[0]} = {quoted(VALUES['exact'])}")


@pytest.fixture(scope="module")
def pg_store(pg_url: str) -> Iterator[SqlStore]:
    with upgraded_store(pg_url) as sql_store:
        yield sql_store


def test_postgresql_plans_a_selective_param_filter_on_the_index(pg_store: SqlStore) -> None:
    store = pg_store
    experiment_id = new_experiment(store, "prefix-plan")
    write_runs(
        store,
        experiment_id,
        [RunSeed(f"r{i}", params={"sel": f"v{i}"}) for i in range(2000)],
    )
    condition = compile_run_filter(run_search_spec("params.sel = 'v7'", []).filter, "postgresql")
    runs = RunRow.__table__
    query = sa.select(runs.c.name).where(condition)
    compiled = query.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True})
    with store.transaction(write=True) as tx:
        tx.conn.execute(sa.text(f"ANALYZE {ParamRow.__tablename__}"))
        plan = "\n".join(tx.conn.execute(sa.text(f"EXPLAIN {compiled}")).scalars())
        assert tx.conn.execute(query).scalars().all() == ["r7"]
    assert "ix_params_key_value_prefix" in plan, plan


def test_postgresql_keeps_joint_statistics_of_key_and_value_prefix(pg_store: SqlStore) -> None:
    with pg_store.transaction(write=False) as tx:
        names = set(
            tx.conn.execute(sa.text("SELECT stxname FROM pg_statistic_ext")).scalars().all()
        )
    assert {"st_params_key_value_prefix", "st_run_tags_key_value_prefix"} <= names
