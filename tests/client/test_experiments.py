"""TrackingClient experiment calls against real servers (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import trackd
from trackd import LifecycleStage, ViewType
from trackd.exceptions import (
    AlreadyExistsError,
    InvalidArgumentError,
    NotFoundError,
    TrackdError,
)

from .conftest import new_name


def test_create_experiment_reads_back(client: trackd.TrackingClient, unique_name: str) -> None:
    experiment_id = client.create_experiment(unique_name, tags={"team": "risk", "version": 3})

    experiment = client.get_experiment(experiment_id)

    assert experiment.experiment_id == experiment_id
    assert experiment.name == unique_name
    assert experiment.lifecycle_stage == LifecycleStage.ACTIVE
    assert experiment.lifecycle_stage == "active"
    assert experiment.tags == {"team": "risk", "version": "3"}
    assert experiment.creation_time > 0
    assert experiment.last_update_time >= experiment.creation_time
    assert experiment.artifact_location
    assert client.get_experiment_by_name(unique_name) == experiment


def test_create_experiment_with_artifact_location(
    client: trackd.TrackingClient, unique_name: str
) -> None:
    location = f"file:///tmp/{unique_name}"
    experiment_id = client.create_experiment(unique_name, artifact_location=location)
    assert client.get_experiment(experiment_id).artifact_location == location


def test_default_experiment_exists(client: trackd.TrackingClient) -> None:
    assert client.get_experiment("0").name == "Default"


def test_get_experiment_by_name_returns_none_when_missing(client: trackd.TrackingClient) -> None:
    assert client.get_experiment_by_name(new_name("missing")) is None


def test_get_missing_experiment_raises_not_found(client: trackd.TrackingClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get_experiment("987654321")
    assert caught.value.code == "NOT_FOUND"
    assert isinstance(caught.value, TrackdError)
    assert isinstance(caught.value, LookupError)


def test_duplicate_name_raises_already_exists(
    client: trackd.TrackingClient, unique_name: str
) -> None:
    client.create_experiment(unique_name)
    with pytest.raises(AlreadyExistsError) as caught:
        client.create_experiment(unique_name)
    assert caught.value.code == "ALREADY_EXISTS"
    assert unique_name in caught.value.message


def test_empty_name_raises_invalid_argument(client: trackd.TrackingClient) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client.create_experiment("")
    assert caught.value.code == "INVALID_ARGUMENT"


def test_rename_experiment(client: trackd.TrackingClient, experiment_id: str) -> None:
    renamed = new_name("renamed")
    client.rename_experiment(experiment_id, renamed)
    assert client.get_experiment(experiment_id).name == renamed
    assert client.get_experiment_by_name(renamed) is not None


def test_delete_and_restore_experiment(client: trackd.TrackingClient, unique_name: str) -> None:
    experiment_id = client.create_experiment(unique_name)
    by_name = f"name = '{unique_name}'"

    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == LifecycleStage.DELETED
    assert list(client.search_experiments(filter_string=by_name)) == []
    deleted = list(client.search_experiments(ViewType.DELETED_ONLY, filter_string=by_name))
    assert [e.experiment_id for e in deleted] == [experiment_id]
    assert len(list(client.search_experiments("ALL", filter_string=by_name))) == 1

    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == LifecycleStage.ACTIVE
    active = list(client.search_experiments(filter_string=by_name))
    assert [e.experiment_id for e in active] == [experiment_id]


def test_experiment_tags(client: trackd.TrackingClient, experiment_id: str) -> None:
    client.set_experiment_tag(experiment_id, "owner", "ana")
    client.set_experiment_tag(experiment_id, "stage", "dev")
    client.set_experiment_tag(experiment_id, "stage", "prod")
    assert client.get_experiment(experiment_id).tags == {"owner": "ana", "stage": "prod"}

    client.delete_experiment_tag(experiment_id, "owner")
    assert client.get_experiment(experiment_id).tags == {"stage": "prod"}
    with pytest.raises(NotFoundError):
        client.delete_experiment_tag(experiment_id, "owner")


def test_search_experiments_pages_through_all(client: trackd.TrackingClient) -> None:
    prefix = new_name("paging")
    created = {client.create_experiment(f"{prefix}-{i:02d}") for i in range(12)}
    by_prefix = f"name LIKE '{prefix}-%'"

    found = list(client.search_experiments(filter_string=by_prefix, page_size=5))
    assert {e.experiment_id for e in found} == created
    assert len(found) == 12

    ordered = list(client.search_experiments(filter_string=by_prefix, order_by=["name ASC"]))
    assert [e.name for e in ordered] == sorted(e.name for e in ordered)

    assert len(list(client.search_experiments(filter_string=by_prefix, max_results=7))) == 7

    first = client.search_experiments_page(max_results=5, filter_string=by_prefix)
    assert len(first) == 5 and first.token
    second = client.search_experiments_page(
        max_results=5, filter_string=by_prefix, page_token=first.token
    )
    third = client.search_experiments_page(
        max_results=5, filter_string=by_prefix, page_token=second.token
    )
    assert len(third) == 2 and third.token is None
    ids = [e.experiment_id for page in (first, second, third) for e in page]
    assert len(set(ids)) == 12
