"""Invalid filters: every syntax and type error is INVALID_ARGUMENT with reason INVALID_FILTER,
the 0-based position of the problem, and a caret under it in the message."""

from __future__ import annotations

import pytest
from trackd_server.domain.errors import InvalidArgument
from trackd_server.service.search import experiment_search_spec, run_search_spec


def run_error(text: str) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        run_search_spec(text, [])
    return caught.value


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        # values of the wrong type
        ("metrics.loss > 'x'", 15, "unquoted number"),
        ("metrics.loss = '0.5'", 15, "unquoted number"),
        ("metrics.loss IN (1, 'two')", 20, "unquoted number"),
        ("params.lr > 0.05", 10, "does not apply"),
        ("params.lr = 0.05", 12, "quote the value"),
        ("tags.team = 5", 12, "quote the value"),
        ("params.lr IN ('a', 2)", 19, "quote the value"),
        ("start_time > 'yesterday'", 13, "unquoted number"),
        ("end_time = '5'", 11, "unquoted number"),
        ("run_name = 5", 11, "quote the value"),
        ("status = 1", 9, "quote the value"),
        ("experiment_id = 'abc'", 16, "integer id"),
        ("start_time > 1e400", 13, "out of range"),
        ("start_time > 99999999999999999999", 13, "out of range"),
        # operators a type does not take
        ("metrics.loss LIKE '0.%'", 13, "does not apply"),
        ("metrics.loss NOT ILIKE '0.%'", 13, "does not apply"),
        ("params.lr >= '0.1'", 10, "does not apply"),
        ("tags.team < 'b'", 10, "does not apply"),
        ("start_time LIKE '1%'", 11, "does not apply"),
        ("status > 'A'", 7, "does not apply"),
        # unknown names and prefixes
        ("nope = 'x'", 0, "not an attribute of runs"),
        ("metrics.a > 1 AND attributes.nope = 'x'", 18, "not an attribute of runs"),
        ("foo.bar = 'x'", 0, "unknown prefix"),
        ("datasets.name = 'x'", 0, "dataset"),
        ("status = 'FINISH'", 9, "not a valid status"),
        ("lifecycle_stage = 'gone'", 18, "not a valid lifecycle_stage"),
        ("metrics. = 1", 8, "expected a key"),
        # syntax
        ("params.p = 'abc", 11, "unterminated string"),
        ('params.p = "abc', 11, "unterminated string"),
        ("params.`abc = 'x'", 7, "unterminated identifier"),
        ("metrics.a > 1 garbage", 14, "expected AND, OR"),
        ("metrics.a > 1 )", 14, "expected AND, OR"),
        ("(metrics.a > 1", 14, "expected ')'"),
        ("metrics.a >", 11, "expected a quoted string or a number"),
        ("metrics.a > 1 AND", 17, "expected a metric, param, tag or attribute"),
        ("AND metrics.a > 1", 0, "expected a metric, param, tag or attribute"),
        ("metrics.a 1", 10, "expected a comparison operator"),
        ("metrics.a IS 1", 13, "expected NULL"),
        ("metrics.a IS NOT 1", 17, "expected NULL"),
        ("params.p NOT = 'x'", 13, "expected LIKE, ILIKE or IN"),
        ("params.p IN 'x'", 12, "expected '('"),
        ("params.p IN ('x' 'y')", 17, "expected ',' or ')'"),
        ("params.p IN ()", 13, "expected a quoted string or a number"),
        ("metrics.a > 1abc", 12, "invalid number"),
        ("metrics.a > 1.2.3", 12, "invalid number"),
        ("metrics.a ~ 1", 10, "unexpected character"),
        ("metrics.a > 1; DROP TABLE runs", 13, "unexpected character"),
        ("params.p = 'a' OR", 17, "expected a metric"),
        ("params.p LIKE 'abc\\'", 14, "lone backslash"),
        ("`` = 'x'", 0, "empty quoted name"),
        ("tags.`` = 'x'", 5, "empty quoted name"),
    ],
)
def test_error_position_and_message(text: str, position: int, words: str) -> None:
    error = run_error(text)
    assert error.code == "INVALID_ARGUMENT"
    assert error.reason == "INVALID_FILTER"
    assert error.metadata == {"field": "filter", "position": str(position)}
    assert words in error.message
    assert f"(at position {position})" in error.message


def test_message_shows_a_caret_under_the_position() -> None:
    text = "metrics.loss > 0.1 AND params.lr > 0.05"
    message = run_error(text).message
    excerpt, caret = message.splitlines()[-2:]
    assert excerpt == "  " + text
    assert caret.index("^") - 2 == text.index("> 0.05")


def test_caret_excerpt_of_a_long_filter_is_a_window() -> None:
    text = " AND ".join(f"metrics.m{i} > {i}" for i in range(40)) + " AND params.p > 1"
    error = run_error(text)
    position = int(error.metadata["position"])
    assert position == text.index("> 1", text.index("params.p"))
    excerpt, caret = error.message.splitlines()[-2:]
    assert excerpt.startswith("  ...")
    assert len(excerpt) < 100
    column = caret.index("^")
    assert excerpt[column:].startswith("> 1")


def test_excerpt_replaces_newlines_so_the_caret_lines_up() -> None:
    text = "metrics.a > 1\nAND\tparams.b > 2"
    excerpt, caret = run_error(text).message.splitlines()[-2:]
    assert excerpt[caret.index("^") :].startswith("> 2")


def test_nesting_limit() -> None:
    error = run_error("NOT " * 60 + "metrics.a > 1")
    assert "nests deeper" in error.message
    error = run_error("(" * 60 + "metrics.a > 1" + ")" * 60)
    assert "nests deeper" in error.message


def test_value_count_limit() -> None:
    values = ", ".join("1" for _ in range(10_001))
    assert "more than 10000 values" in run_error(f"metrics.a IN ({values})").message


def test_length_limit() -> None:
    assert "longer than" in run_error("params.p = '" + "x" * 100_000 + "'").message


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("metrics.loss > 1", 0, "experiments have no metrics"),
        ("params.lr = 'x'", 0, "experiments have no params"),
        ("status = 'FINISHED'", 0, "not an attribute of experiments"),
        ("creation_time > 'x'", 16, "unquoted number"),
        ("name > 'a'", 5, "does not apply"),
        ("name = 1", 7, "quote the value"),
        ("last_update_time LIKE '1%'", 17, "does not apply"),
    ],
)
def test_experiment_filter_errors(text: str, position: int, words: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        experiment_search_spec(text, [])
    assert caught.value.reason == "INVALID_FILTER"
    assert caught.value.metadata["position"] == str(position)
    assert words in caught.value.message
