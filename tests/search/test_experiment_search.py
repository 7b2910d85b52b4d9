"""Experiment filters and ordering against a real store, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from trackd_server.domain.entities import Tag
from trackd_server.store.sql.store import SqlStore

from tests.search.conftest import search_experiment_names

# name suffix -> (creation_time, last_update_time, tags)
EXPERIMENTS = {
    "alpha": (100, 400, {"team": "vision", "owner": "ann"}),
    "Beta": (200, 300, {"team": "nlp"}),
    "gamma": (300, 300, {"team": "Vision", "x'; DROP TABLE experiments; --": "1"}),
    "delta": (300, 100, {}),
}


@pytest.fixture(scope="module")
def experiments(store: SqlStore) -> tuple[str, dict[str, int]]:
    prefix = f"xs{uuid.uuid4().hex[:8]}"
    ids: dict[str, int] = {}
    with store.transaction(write=True) as tx:
        for suffix, (created, updated, tags) in EXPERIMENTS.items():
            experiment_id = tx.experiments.insert(
                f"{prefix}-{suffix}", "/tmp/x", [Tag(k, v) for k, v in tags.items()], now=created
            )
            tx.experiments.update(experiment_id, now=updated)
            ids[suffix] = experiment_id
    return prefix, ids


def found(
    store: SqlStore, experiments: tuple[str, dict[str, int]], text: str, **kw: object
) -> list[str]:
    prefix = experiments[0]
    scoped = f"name LIKE '{prefix}-%' AND ({text})" if text else f"name LIKE '{prefix}-%'"
    names = search_experiment_names(store, scoped, **kw)  # type: ignore[arg-type]
    return [n.split("-", 1)[1] for n in names]


CASES = [
    ("name = '{p}-alpha'", {"alpha"}),
    ("name != '{p}-alpha'", {"Beta", "gamma", "delta"}),
    ("name LIKE '%-beta'", set()),
    ("name LIKE '%-Beta'", {"Beta"}),
    ("name ILIKE '%-BETA'", {"Beta"}),
    ("name NOT LIKE '%a'", set()),
    ("name NOT ILIKE '%-b%'", {"alpha", "gamma", "delta"}),
    ("name IN ('{p}-alpha', '{p}-delta', 'other')", {"alpha", "delta"}),
    ("name NOT IN ('{p}-alpha', '{p}-delta')", {"Beta", "gamma"}),
    ("creation_time > 100", {"Beta", "gamma", "delta"}),
    ("creation_time = 300", {"gamma", "delta"}),
    ("creation_time <= 200 AND last_update_time >= 300", {"alpha", "Beta"}),
    ("last_update_time < 300 OR creation_time < 150", {"alpha", "delta"}),
    ("NOT last_update_time = 300", {"alpha", "delta"}),
    ("attributes.last_update_time != 300", {"alpha", "delta"}),
    ("tags.team = 'vision'", {"alpha"}),
    ("tags.team ILIKE 'vision'", {"alpha", "gamma"}),
    ("tags.team LIKE 'V%'", {"gamma"}),
    ("tags.team != 'nlp'", {"alpha", "gamma"}),
    ("NOT tags.team = 'nlp'", {"alpha", "gamma"}),
    ("tags.team IS NULL", {"delta"}),
    ("tags.team IS NOT NULL AND NOT tags.owner IS NULL", {"alpha"}),
    ("tags.team IN ('nlp', 'Vision')", {"Beta", "gamma"}),
    ("tags.`x'; DROP TABLE experiments; --` = '1'", {"gamma"}),
    ("tag.team = ''' OR 1=1 --'", set()),
    ("(tags.team = 'nlp' OR creation_time = 300) AND NOT name LIKE '%delta'", {"Beta", "gamma"}),
    ("lifecycle_stage = 'active'", {"alpha", "Beta", "gamma", "delta"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_filter(
    store: SqlStore, experiments: tuple[str, dict[str, int]], text: str, expected: set[str]
) -> None:
    assert set(found(store, experiments, text.replace("{p}", experiments[0]))) == expected


def test_experiment_id(store: SqlStore, experiments: tuple[str, dict[str, int]]) -> None:
    ids = experiments[1]
    assert found(store, experiments, f"experiment_id = '{ids['gamma']}'") == ["gamma"]
    assert set(
        found(store, experiments, f"experiment_id IN ({ids['alpha']}, '{ids['Beta']}')")
    ) == {
        "alpha",
        "Beta",
    }
    assert set(found(store, experiments, f"experiment_id NOT IN ('{ids['alpha']}')")) == {
        "Beta",
        "gamma",
        "delta",
    }


@pytest.mark.parametrize("page_size", [1, 3, 100])
def test_order(store: SqlStore, experiments: tuple[str, dict[str, int]], page_size: int) -> None:
    ids = experiments[1]
    by_id = sorted(ids, key=ids.__getitem__)

    def order(items: list[str]) -> list[str]:
        return found(store, experiments, "", order_by=items, page_size=page_size)

    # Default: newest first, then experiment_id ascending.
    assert order([]) == ["gamma", "delta", "Beta", "alpha"]  # gamma was created before delta
    # Lower-case names only: how "Beta" sorts among them depends on the database collation.
    lower = f"name != '{experiments[0]}-Beta'"
    by_name = found(store, experiments, lower, order_by=["name"], page_size=page_size)
    assert by_name == ["alpha", "delta", "gamma"]
    by_name_desc = found(
        store, experiments, lower, order_by=["attributes.name DESC"], page_size=page_size
    )
    assert by_name_desc == ["gamma", "delta", "alpha"]
    assert order(["experiment_id"]) == by_id
    assert order(["experiment_id DESC"]) == list(reversed(by_id))
    assert order(["last_update_time", "creation_time DESC"]) == ["delta", "gamma", "Beta", "alpha"]
    assert order(["creation_time"]) == ["alpha", "Beta", "gamma", "delta"]
