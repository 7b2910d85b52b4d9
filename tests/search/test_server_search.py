"""Search through a real trackd server (SQLite and PostgreSQL) with the Python client: the
filter language, ordering and paging end to end, and filter errors as INVALID_ARGUMENT with
ErrorInfo reason INVALID_FILTER and the position."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator

import pytest
import trackd
from trackd.exceptions import InvalidArgumentError


@pytest.fixture()
def experiment(client: trackd.TrackingClient) -> tuple[str, dict[str, str]]:
    experiment_id = client.create_experiment(f"search-e2e-{uuid.uuid4().hex[:10]}")
    ids: dict[str, str] = {}
    for name, loss, optimizer, team in [
        ("a", 0.5, "adam", "vision"),
        ("b", 0.2, "sgd", "nlp"),
        ("c", math.nan, "adam", None),
        ("d", None, None, "vision"),
        ("e", 0.9, "Adam", "nlp"),
    ]:
        run_id = client.create_run(experiment_id, run_name=name).info.run_id
        ids[name] = run_id
        if loss is not None:
            client.log_metric(run_id, "val loss", loss)
        if optimizer is not None:
            client.log_param(run_id, "optimizer", optimizer)
        if team is not None:
            client.set_tag(run_id, "team", team)
    return experiment_id, ids


def names(runs: Iterator[trackd.Run]) -> list[str]:
    return [r.info.run_name for r in runs]


def test_filters_with_or_not_and_parentheses(
    client: trackd.TrackingClient, experiment: tuple[str, dict[str, str]]
) -> None:
    experiment_id, _ = experiment

    def found(text: str) -> set[str]:
        return set(names(client.search_runs(experiment_id, text)))

    assert found("metrics.`val loss` < 0.6") == {"a", "b"}
    assert found("NOT metrics.`val loss` < 0.6") == {"c", "e"}
    assert found("metrics.`val loss` IS NULL") == {"d"}
    assert found("params.optimizer = 'adam' OR tags.team = 'nlp'") == {"a", "b", "c", "e"}
    assert found("params.optimizer ILIKE 'adam' AND NOT (tags.team = 'vision')") == {"e"}
    assert found("(tags.team = 'vision' OR tags.team = 'nlp') AND metrics.`val loss` > 0.3") == {
        "a",
        "e",
    }
    assert found("params.optimizer LIKE 'A%'") == {"e"}
    assert found("tags.team IN ('nlp') AND run_name != 'b'") == {"e"}


def test_order_and_pages(
    client: trackd.TrackingClient, experiment: tuple[str, dict[str, str]]
) -> None:
    experiment_id, ids = experiment
    ordered = names(
        client.search_runs(experiment_id, order_by=["metrics.`val loss` DESC"], page_size=2)
    )
    assert ordered[:3] == ["e", "a", "b"]
    assert sorted(ordered[3:], key=ids.__getitem__) == ordered[3:]  # c (NaN), d: by run_id
    assert set(ordered[3:]) == {"c", "d"}
    # Without "Adam": where upper case sorts depends on the database collation.
    by_param = names(
        client.search_runs(
            experiment_id, "run_name != 'e'", order_by=["params.optimizer", "run_name"]
        )
    )
    assert by_param == ["a", "c", "b", "d"]


def test_invalid_filter_is_invalid_argument_with_position(
    client: trackd.TrackingClient, experiment: tuple[str, dict[str, str]]
) -> None:
    experiment_id, _ = experiment
    with pytest.raises(InvalidArgumentError) as caught:
        client.search_runs_page(experiment_id, "metrics.`val loss` < 0.5 AND params.lr > 0.1")
    error = caught.value
    assert error.reason == "INVALID_FILTER"
    assert error.metadata == {"field": "filter", "position": "39"}
    assert "^" in error.message

    with pytest.raises(InvalidArgumentError) as caught:
        client.search_runs_page(experiment_id, order_by=["metrics.loss sideways"])
    assert caught.value.reason == "INVALID_ORDER_BY"
    assert caught.value.metadata == {"field": "order_by[0]", "position": "13"}


def test_experiment_filters(client: trackd.TrackingClient) -> None:
    prefix = f"xe2e-{uuid.uuid4().hex[:8]}"
    vision = client.create_experiment(f"{prefix}-vision")
    client.set_experiment_tag(vision, "team", "vision")
    nlp = client.create_experiment(f"{prefix}-nlp")
    client.set_experiment_tag(nlp, "team", "nlp")
    client.create_experiment(f"{prefix}-untagged")

    def found(text: str, order_by: list[str] | None = None) -> list[str]:
        scoped = f"name LIKE '{prefix}-%' AND ({text})"
        return [
            e.name.split("-")[-1]
            for e in client.search_experiments(filter_string=scoped, order_by=order_by, page_size=1)
        ]

    assert found("tags.team = 'nlp' OR tags.team IS NULL", ["name"]) == ["nlp", "untagged"]
    assert found("NOT tags.team = 'nlp'") == ["vision"]
    assert set(found(f"experiment_id IN ('{vision}', '{nlp}')")) == {"vision", "nlp"}
    assert found("name ILIKE '%-VISION'") == ["vision"]
    with pytest.raises(InvalidArgumentError) as caught:
        found("metrics.loss > 1")
    assert caught.value.reason == "INVALID_FILTER"
