"""Run filters against a real store, on SQLite and PostgreSQL: every operator, NULL and NaN
semantics, AND/OR/NOT precedence, quoting, and SQL injection attempts."""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from trackd_server.domain.entities import RunStatus
from trackd_server.service.search import run_search_spec
from trackd_server.store.sql.filters import compile_run_filter, like_to_glob
from trackd_server.store.sql.store import SqlStore

from tests.search.conftest import NAN, RunSeed, new_experiment, search_run_names, write_runs

INJECTION_KEY = "x'; DROP TABLE runs; --"

SEEDS = [
    RunSeed(
        "a",
        metrics={"loss": 0.5, "acc": 0.9, "val loss": 0.4},
        params={"lr": "0.01", "opt": "Adam"},
        tags={"team": "Vision", "mlflow.note": "hello"},
        status=RunStatus.FINISHED,
        start_time=1000,
        end_time=2000,
        user_id="alice",
    ),
    RunSeed(
        "b",
        metrics={"loss": 0.2, "acc": NAN},
        params={"lr": "0.1", "opt": "adam"},
        tags={"team": "vision"},
        status=RunStatus.FAILED,
        start_time=2000,
        user_id="bob",
    ),
    RunSeed(
        "c",
        metrics={"loss": NAN},
        params={"lr": "0.001"},
        tags={"team": "nlp", "a-b": "x y"},
        status=RunStatus.RUNNING,
        start_time=3000,
        user_id="alice",
    ),
    RunSeed(
        "d",
        params={INJECTION_KEY: "a"},
        status=RunStatus.KILLED,
        start_time=4000,
        end_time=5000,
        user_id="carol",
    ),
    RunSeed(
        "e",
        metrics={"loss": 1.5, "acc": 0.5, "big": math.inf},
        params={"opt": "SGD%_x", "lr": "1e-3"},
        tags={"team": "O'Brien"},
        status=RunStatus.FINISHED,
        start_time=5000,
        end_time=6000,
        user_id="Bob",
    ),
    RunSeed(
        "f",
        metrics={"loss": -1.0, "acc": 1.0, "big": -math.inf},
        params={"opt": "ADAM"},
        tags={"team": "it's 50%", "glob": "a*[b]?"},
        status=RunStatus.SCHEDULED,
        start_time=6000,
        user_id="alice",
    ),
]
ALL = set("abcdef")


@pytest.fixture(scope="module")
def runs(store: SqlStore) -> tuple[int, dict[str, str]]:
    experiment_id = new_experiment(store)
    return experiment_id, write_runs(store, experiment_id, SEEDS)


def matches(store: SqlStore, runs: tuple[int, dict[str, str]], text: str) -> set[str]:
    names = search_run_names(store, runs[0], text)
    assert len(names) == len(set(names))
    return set(names)


CASES = [
    # metrics: numeric comparisons on the latest value; NaN only satisfies !=
    ("metrics.loss > 0.4", "ae"),
    ("metrics.loss = 0.2", "b"),
    ("metrics.loss != 0.2", "acef"),
    ("metrics.loss < 0.5", "bf"),
    ("metrics.loss <= 0.5", "abf"),
    ("metrics.loss >= 1.5", "e"),
    ("metrics.loss IN (0.2, 1.5)", "be"),
    ("metrics.loss NOT IN (0.2, 1.5)", "acf"),
    ("metrics.loss IS NULL", "d"),
    ("metrics.loss IS NOT NULL", "abcef"),
    ("metrics.acc > 0.6", "af"),
    ("metrics.acc IS NULL", "cd"),
    ("metrics.`val loss` < 1", "a"),
    ('metrics."val loss" < 1', "a"),
    ("metrics.big > 1e308", "e"),
    ("metrics.big < -1e308", "f"),
    ("metrics.big < 1e999", "f"),
    ("metric.loss = -1", "f"),
    # three-valued NOT: runs without the metric match neither a comparison nor its negation
    ("NOT metrics.loss > 0.4", "bcf"),
    ("NOT metrics.loss != 0.2", "b"),
    ("NOT metrics.loss IS NULL", "abcef"),
    ("NOT NOT metrics.loss > 0.4", "ae"),
    ("NOT (metrics.loss > 0.4 OR params.opt = 'adam')", "f"),
    ("NOT (metrics.loss > 0.4 AND params.opt = 'adam')", "abcef"),
    # AND / OR / NOT precedence and parentheses
    ("metrics.loss > 0.4 OR metrics.acc > 0.95", "aef"),
    ("metrics.loss > 0.4 AND metrics.acc > 0.6", "a"),
    ("metrics.loss < 0 OR metrics.loss > 1 AND metrics.acc < 0.6", "ef"),
    ("(metrics.loss < 0 OR metrics.loss > 1) AND metrics.acc < 0.6", "e"),
    ("NOT status = 'FINISHED' AND user_id = 'alice'", "cf"),
    ("NOT (status = 'FINISHED' AND user_id = 'alice')", "bcdef"),
    ("metrics.loss > 0 and (status = 'FAILED' or not user_id = 'alice')", "be"),
    ("metrics.loss > 0 AND params.opt ILIKE 'adam' AND tags.team LIKE '%ision'", "ab"),
    # params and tags: strings, IS NULL when absent
    ("params.opt = 'Adam'", "a"),
    ("params.opt != 'adam'", "aef"),
    ("NOT params.opt = 'adam'", "aef"),
    ("params.opt LIKE 'Ad%'", "a"),
    ("params.opt LIKE 'ad%'", "b"),
    ("params.opt ILIKE 'ad%'", "abf"),
    ("params.opt NOT LIKE 'Ad%'", "bef"),
    ("params.opt NOT ILIKE 'ad%'", "e"),
    ("params.opt LIKE '_dam'", "ab"),
    ("params.opt LIKE 'ADA_'", "f"),
    ("params.opt LIKE 'SGD\\%\\_x'", "e"),
    ("params.opt LIKE 'SGD\\%\\_'", ""),
    ("params.opt LIKE 'SGD%'", "e"),
    ("params.opt LIKE '%'", "abef"),
    ("params.lr IN ('0.01', '0.1')", "ab"),
    ("params.lr NOT IN ('0.01', '0.1')", "ce"),
    ("params.lr IS NULL", "df"),
    ("params.lr IS NOT NULL", "abce"),
    ("param.lr = '1e-3'", "e"),
    ("tags.team = 'vision'", "b"),
    ("tags.team ILIKE 'VISION'", "ab"),
    ("tags.team = 'O''Brien'", "e"),
    ('tags.team = "O\'Brien"', "e"),
    ("tags.team = 'it''s 50%'", "f"),
    ("tags.team LIKE '%50\\%'", "f"),
    ("tags.team LIKE '%50'", ""),
    ("tags.glob LIKE 'a*[b]?'", "f"),
    ("tags.glob LIKE 'a_[b]_'", "f"),
    ("tags.glob LIKE 'a%?'", "f"),
    ("tags.glob LIKE 'ab%'", ""),
    ("tags.glob LIKE 'A*[B]?'", ""),
    ("tags.glob ILIKE 'A*[B]?'", "f"),
    ("tags.mlflow.note = 'hello'", "a"),
    ("tags.`mlflow.note` = 'hello'", "a"),
    ("tags.\"a-b\" = 'x y'", "c"),
    ("tags.team IS NULL", "d"),
    # attributes
    ("run_name = 'a'", "a"),
    ("attributes.run_name IN ('a', 'b', 'zz')", "ab"),
    ("run_name LIKE '%'", "abcdef"),
    ("`run name` != 'a'", "bcdef"),
    ("status = 'FINISHED'", "ae"),
    ("status != 'FINISHED'", "bcdf"),
    ("status IN ('RUNNING', 'scheduled')", "cf"),
    ("status = 'run_status_failed'", "b"),
    ("status NOT IN ('FINISHED', 'FAILED')", "cdf"),
    ("user_id = 'alice'", "acf"),
    ("user = 'Bob'", "e"),
    ("user_id ILIKE 'bob'", "be"),
    ("user_id LIKE 'b%'", "b"),
    ("start_time > 3000", "def"),
    ("start_time >= 3000 AND start_time < 5000", "cd"),
    ("created IN (1000, 6000)", "af"),
    ("start_time != 1000", "bcdef"),
    ("end_time IS NULL", "bcf"),
    ("end_time IS NOT NULL", "ade"),
    ("end_time > 1000", "ade"),
    ("NOT end_time > 4000", "a"),
    ("end_time != 2000", "de"),
    ("lifecycle_stage = 'ACTIVE'", "abcdef"),
    ("lifecycle_stage = 'deleted'", ""),
    ("artifact_uri LIKE '/tmp/a/%'", "abcdef"),
    # injection attempts are plain keys and values
    (f"params.`{INJECTION_KEY}` = 'a'", "d"),
    (f"params.\"{INJECTION_KEY.replace(chr(39), chr(39))}\" = 'a'", "d"),
    ("params.opt = ''' OR 1=1 --'", ""),
    ("params.opt = 'x'' OR ''1''=''1'", ""),
    ("run_name = 'a'' OR 1=1 --'", ""),
    ("tags.`team'; DELETE FROM runs; --` IS NULL", "abcdef"),
    ("params.opt LIKE '%'' OR 1=1 --'", ""),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_filter(
    store: SqlStore, runs: tuple[int, dict[str, str]], text: str, expected: str
) -> None:
    assert matches(store, runs, text) == set(expected)


def test_blank_filter_matches_every_run(store: SqlStore, runs: tuple[int, dict[str, str]]) -> None:
    assert matches(store, runs, "") == ALL


def test_run_id_and_experiment_id(store: SqlStore, runs: tuple[int, dict[str, str]]) -> None:
    experiment_id, ids = runs
    assert matches(store, runs, f"run_id = '{ids['c']}'") == {"c"}
    assert matches(store, runs, f"attributes.run_id IN ('{ids['a']}', '{ids['e']}')") == {"a", "e"}
    assert matches(store, runs, f"run_id NOT IN ('{ids['a']}')") == ALL - {"a"}
    assert matches(store, runs, f"experiment_id = '{experiment_id}'") == ALL
    assert matches(store, runs, f"experiment_id = {experiment_id}") == ALL
    assert matches(store, runs, f"experiment_id != {experiment_id}") == set()


def test_tables_survive_injection_attempts(
    store: SqlStore, runs: tuple[int, dict[str, str]]
) -> None:
    for text, _ in CASES:
        if "DROP" in text or "DELETE" in text or "1=1" in text:
            matches(store, runs, text)
    with store.transaction(write=False) as tx:
        for table in ("runs", "params", "run_tags", "latest_metrics"):
            assert tx.conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() > 0
    assert matches(store, runs, "") == ALL


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()])
def test_keys_and_values_are_bound_parameters(dialect: sa.Dialect) -> None:
    spec = run_search_spec(
        f"params.`{INJECTION_KEY}` = 'v'' OR 1=1 --' AND tags.t LIKE '%DROP%' "
        "AND metrics.m IN (1, 2) AND run_name = 'EVIL'",
        [],
    )
    condition = compile_run_filter(spec.filter, dialect.name)
    compiled = condition.compile(dialect=dialect)
    sql = str(compiled)
    for fragment in ("DROP", "1=1", "EVIL", INJECTION_KEY):
        assert fragment not in sql
    params = list(compiled.params.values())
    assert INJECTION_KEY in params
    assert "v' OR 1=1 --" in params
    assert "EVIL" in params


@pytest.mark.parametrize(
    ("like", "glob"),
    [
        ("abc", "abc"),
        ("a%b_c", "a*b?c"),
        ("a\\%b\\_c\\\\", "a%b_c\\"),
        ("*?[]", "[*][?][[]]"),
        ("\\*", "[*]"),
        ("ü%", "ü*"),
    ],
)
def test_like_to_glob(like: str, glob: str) -> None:
    assert like_to_glob(like) == glob
