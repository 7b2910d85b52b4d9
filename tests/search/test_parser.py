"""The filter language without a database: syntax, precedence, quoting, normalisation."""

from __future__ import annotations

import pytest
from trackd_server.domain.errors import InvalidArgument
from trackd_server.domain.filters import And, Comparison, Field, Not, Or
from trackd_server.service.filtering import RUN_SCHEMA, parse_filter_text
from trackd_server.service.search import experiment_search_spec, run_search_spec


def parse(text: str):
    return parse_filter_text(text, RUN_SCHEMA)


def metric(key: str, op: str, value: float) -> Comparison:
    return Comparison(Field("metric", key), op, value)


A = metric("a", ">", 1.0)
B = metric("b", ">", 2.0)
C = metric("c", ">", 3.0)


def test_blank_filter_is_none() -> None:
    assert parse("") is None
    assert parse("  \n\t ") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metrics.a > 1 AND metrics.b > 2 OR metrics.c > 3", Or((And((A, B)), C))),
        ("metrics.a > 1 OR metrics.b > 2 AND metrics.c > 3", Or((A, And((B, C))))),
        ("metrics.a > 1 AND (metrics.b > 2 OR metrics.c > 3)", And((A, Or((B, C))))),
        ("NOT metrics.a > 1 AND metrics.b > 2", And((Not(A), B))),
        ("NOT (metrics.a > 1 AND metrics.b > 2)", Not(And((A, B)))),
        ("NOT NOT metrics.a > 1", Not(Not(A))),
        ("metrics.a > 1 or metrics.b > 2 or metrics.c > 3", Or((A, B, C))),
        ("((metrics.a > 1))", A),
        (
            "metrics.a > 1 and not metrics.b > 2 or not (metrics.c > 3)",
            Or((And((A, Not(B))), Not(C))),
        ),
    ],
)
def test_precedence_not_over_and_over_or(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("metrics.loss = 1", Field("metric", "loss")),
        ("metric.loss = 1", Field("metric", "loss")),
        ("METRICS.loss = 1", Field("metric", "loss")),
        ("metrics.`val loss` = 1", Field("metric", "val loss")),
        ('metrics."val loss" = 1', Field("metric", "val loss")),
        ("metrics.`a``b` = 1", Field("metric", "a`b")),
        ("params.lr = '1'", Field("param", "lr")),
        ("param.lr = '1'", Field("param", "lr")),
        ("parameters.lr = '1'", Field("param", "lr")),
        ("parameter.lr = '1'", Field("param", "lr")),
        ("params.a-b = '1'", Field("param", "a-b")),
        ("tags.\"a-b\" = '1'", Field("tag", "a-b")),
        ("tags.mlflow.runName = 'x'", Field("tag", "mlflow.runName")),
        ("tag.`mlflow.runName` = 'x'", Field("tag", "mlflow.runName")),
        ("tags.`x'; DROP TABLE runs; --` = 'x'", Field("tag", "x'; DROP TABLE runs; --")),
        ("attributes.status = 'FINISHED'", Field("attribute", "status")),
        ("attribute.status = 'FINISHED'", Field("attribute", "status")),
        ("attr.status = 'FINISHED'", Field("attribute", "status")),
        ("run.status = 'FINISHED'", Field("attribute", "status")),
        ("status = 'FINISHED'", Field("attribute", "status")),
        ("user = 'x'", Field("attribute", "user_id")),
        ("attributes.user_id = 'x'", Field("attribute", "user_id")),
        ("`Run Name` = 'x'", Field("attribute", "run_name")),
        ("attributes.`run name` = 'x'", Field("attribute", "run_name")),
        ("created > 1", Field("attribute", "start_time")),
        ("Start_Time > 1", Field("attribute", "start_time")),
    ],
)
def test_identifiers(text: str, field: Field) -> None:
    expr = parse(text)
    assert isinstance(expr, Comparison)
    assert expr.field == field


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("metrics.a = 1", "=", 1.0),
        ("metrics.a == 1", "=", 1.0),
        ("metrics.a != 1", "!=", 1.0),
        ("metrics.a <> 1", "!=", 1.0),
        ("metrics.a < -1.5", "<", -1.5),
        ("metrics.a <= .5", "<=", 0.5),
        ("metrics.a > 1e3", ">", 1000.0),
        ("metrics.a >= -2E-2", ">=", -0.02),
        ("metrics.a>+3", ">", 3.0),
        ("metrics.a IN (1, 2.5, -3)", "IN", (1.0, 2.5, -3.0)),
        ("metrics.a is null", "IS NULL", None),
        ("params.p = 'it''s'", "=", "it's"),
        ('params.p = "say ""hi"""', "=", 'say "hi"'),
        ("params.p = ''", "=", ""),
        ("params.p like 'a%'", "LIKE", "a%"),
        ("params.p ILike 'a%'", "ILIKE", "a%"),
        ("params.p in ('a', \"b\")", "IN", ("a", "b")),
        ("start_time >= 10", ">=", 10),
        ("start_time >= 1e3", ">=", 1000),
        ("start_time > 1.5", ">", 1.5),
        ("experiment_id = '7'", "=", 7),
        ("experiment_id in ('7', 8)", "IN", (7, 8)),
        ("status = 'finished'", "=", "FINISHED"),
        ("status = 'RUN_STATUS_KILLED'", "=", "KILLED"),
        ("status IN ('running', 'Failed')", "IN", ("RUNNING", "FAILED")),
        ("lifecycle_stage = 'ACTIVE'", "=", "active"),
        ("lifecycle_stage = 'LIFECYCLE_STAGE_DELETED'", "=", "deleted"),
        ("status LIKE 'FIN%'", "LIKE", "FIN%"),
    ],
)
def test_operators_and_values(text: str, op: str, value: object) -> None:
    expr = parse(text)
    assert isinstance(expr, Comparison)
    assert (expr.op, expr.value) == (op, value)
    assert type(expr.value) is type(value)


@pytest.mark.parametrize(
    ("text", "inner_op"),
    [
        ("params.p NOT LIKE 'a%'", "LIKE"),
        ("params.p not ilike 'a%'", "ILIKE"),
        ("params.p NOT IN ('a')", "IN"),
        ("params.p IS NOT NULL", "IS NULL"),
    ],
)
def test_negated_operators_wrap_the_positive_one(text: str, inner_op: str) -> None:
    expr = parse(text)
    assert isinstance(expr, Not)
    assert isinstance(expr.operand, Comparison)
    assert expr.operand.op == inner_op


def test_keywords_are_case_insensitive() -> None:
    assert parse("metrics.a > 1 and metrics.b > 2 Or NoT metrics.c > 3") == Or(
        (And((A, B)), Not(C))
    )


def test_repr_is_stable_and_ignores_spacing() -> None:
    one = parse("metrics.a > 1 AND params.p = 'x'")
    two = parse("  metrics.a>1   and params.p='x' ")
    assert one == two
    assert repr(one) == repr(two)
    assert repr(one) == (
        "And(operands=(Comparison(field=Field(kind='metric', key='a'), op='>', value=1.0), "
        "Comparison(field=Field(kind='param', key='p'), op='=', value='x')))"
    )


def test_spec_digest_differs_between_filters() -> None:
    one = run_search_spec("metrics.a > 1", [])
    two = run_search_spec("metrics.a > 2", [])
    assert one.digest_parts() != two.digest_parts()
    assert one.digest_parts() == run_search_spec("metrics.a>1", []).digest_parts()


@pytest.mark.parametrize(
    ("items", "order"),
    [
        ([], (("start_time", True),)),
        (["metrics.loss DESC"], (("metrics.loss", True),)),
        (["metrics.`val loss` desc"], (("metrics.val loss", True),)),
        (["params.lr"], (("params.lr", False),)),
        (["tags.team ASC", "start_time"], (("tags.team", False), ("start_time", False))),
        (["attributes.start_time"], (("start_time", False),)),
        (["tags.mlflow.runName"], (("tags.mlflow.runName", False),)),
        (['tags."a b" DESC'], (("tags.a b", True),)),
        (["user desc"], (("user_id", True),)),
    ],
)
def test_run_order_by(items: list[str], order: tuple[tuple[str, bool], ...]) -> None:
    assert run_search_spec("", items).order == order


@pytest.mark.parametrize(
    ("items", "order"),
    [
        ([], (("creation_time", True),)),
        (["name"], (("name", False),)),
        (
            ["attributes.last_update_time DESC", "experiment_id"],
            (("last_update_time", True), ("experiment_id", False)),
        ),
    ],
)
def test_experiment_order_by(items: list[str], order: tuple[tuple[str, bool], ...]) -> None:
    assert experiment_search_spec("", items).order == order


@pytest.mark.parametrize(
    ("item", "position"),
    [
        ("metrics.loss DESC extra", 18),
        ("nope", 0),
        ("metrics.loss sideways", 13),
        ("", 0),
    ],
)
def test_invalid_run_order_by(item: str, position: int) -> None:
    with pytest.raises(InvalidArgument) as caught:
        run_search_spec("", ["start_time", item])
    assert caught.value.reason == "INVALID_ORDER_BY"
    assert caught.value.metadata == {"field": "order_by[1]", "position": str(position)}


def test_experiments_cannot_be_sorted_by_tags_or_metrics() -> None:
    for item in ("tags.team", "metrics.loss"):
        with pytest.raises(InvalidArgument) as caught:
            experiment_search_spec("", [item])
        assert caught.value.reason == "INVALID_ORDER_BY"


def test_too_many_order_keys() -> None:
    with pytest.raises(InvalidArgument):
        run_search_spec("", ["start_time"] * 11)
