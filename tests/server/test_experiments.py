"""Experiment rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from trackd_server.domain.entities import LifecycleStage, Tag, ViewType
from trackd_server.domain.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from trackd_server.service.tracking import TrackingServices


def test_default_experiment_exists(services: TrackingServices) -> None:
    default = services.experiments.get("0")
    assert default.name == "Default"
    assert default.lifecycle_stage is LifecycleStage.ACTIVE
    assert services.experiments.get_by_name("Default").experiment_id == "0"


def test_create_reads_back_with_tags_and_default_location(
    services: TrackingServices, unique_name: str
) -> None:
    created = services.experiments.create(
        unique_name, "", [Tag("team", "risk"), Tag("team", "fraud")]
    )
    assert created.name == unique_name
    assert created.artifact_location == f"file:///tmp/trackd-test-artifacts/{created.experiment_id}"
    assert created.tags == (Tag("team", "fraud"),)  # last value wins within one request
    assert services.experiments.get(created.experiment_id) == created


def test_names_are_unique_after_normalisation(services: TrackingServices) -> None:
    base = f"caf\u00e9-{uuid.uuid4().hex[:6]}"
    services.experiments.create(base, "", [])
    decomposed = "  " + base.replace("\u00e9", "e\u0301") + "\t"  # NFD + whitespace: a look-alike
    with pytest.raises(AlreadyExists) as caught:
        services.experiments.create(decomposed, "", [])
    assert caught.value.reason == "EXPERIMENT_NAME_TAKEN"
    assert services.experiments.get_by_name(decomposed).name == base


def test_deleted_names_stay_taken_and_restore_works(
    services: TrackingServices, unique_name: str
) -> None:
    exp = services.experiments.create(unique_name, "", [])
    services.experiments.delete(exp.experiment_id)
    assert services.experiments.get(exp.experiment_id).lifecycle_stage is LifecycleStage.DELETED
    with pytest.raises(AlreadyExists):
        services.experiments.create(unique_name, "", [])
    with pytest.raises(FailedPrecondition):
        services.experiments.rename(exp.experiment_id, unique_name + "-x")
    with pytest.raises(FailedPrecondition):
        services.experiments.delete(exp.experiment_id)
    services.experiments.restore(exp.experiment_id)
    assert services.experiments.get(exp.experiment_id).lifecycle_stage is LifecycleStage.ACTIVE


def test_rename_and_rename_collision(services: TrackingServices, unique_name: str) -> None:
    a = services.experiments.create(unique_name + "-a", "", [])
    services.experiments.create(unique_name + "-b", "", [])
    renamed = services.experiments.rename(a.experiment_id, unique_name + "-c")
    assert renamed.name == unique_name + "-c"
    assert renamed.last_update_time >= a.last_update_time
    with pytest.raises(AlreadyExists):
        services.experiments.rename(a.experiment_id, unique_name + "-b")


def test_tags_set_overwrite_delete(services: TrackingServices, experiment_id: str) -> None:
    services.experiments.set_tag(experiment_id, Tag("k", "v1"))
    services.experiments.set_tag(experiment_id, Tag("k", "v2"))
    assert services.experiments.get(experiment_id).tags == (Tag("k", "v2"),)
    services.experiments.delete_tag(experiment_id, "k")
    assert services.experiments.get(experiment_id).tags == ()
    with pytest.raises(NotFound) as caught:
        services.experiments.delete_tag(experiment_id, "k")
    assert caught.value.reason == "TAG_NOT_FOUND"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("x" * 501, "limit of 500"),
        ("a\x00b", "NUL"),
    ],
)
def test_invalid_names(services: TrackingServices, name: str, fragment: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        services.experiments.create(name, "", [])
    assert fragment in caught.value.message
    assert caught.value.message.startswith("name:")


def test_missing_and_malformed_ids(services: TrackingServices) -> None:
    with pytest.raises(NotFound):
        services.experiments.get("987654321")
    with pytest.raises(InvalidArgument) as caught:
        services.experiments.get("abc")
    assert "experiment_id" in caught.value.message
    with pytest.raises(NotFound):
        services.experiments.get_by_name(f"nope-{uuid.uuid4().hex}")


def test_experiment_tag_value_limit(services: TrackingServices, experiment_id: str) -> None:
    services.experiments.set_tag(experiment_id, Tag("long", "v" * 20000))
    with pytest.raises(InvalidArgument) as caught:
        services.experiments.set_tag(experiment_id, Tag("long", "v" * 20001))
    assert "20000" in caught.value.message


def test_search_pages_cover_everything_once(services: TrackingServices) -> None:
    prefix = f"page-{uuid.uuid4().hex[:6]}"
    created = {
        services.experiments.create(f"{prefix}-{i:02d}", "", []).experiment_id for i in range(23)
    }
    seen: list[str] = []
    token = ""
    while True:
        page = services.experiments.search("", ViewType.ALL, ["name ASC"], 5, token)
        seen += [e.experiment_id for e in page.items if e.name.startswith(prefix)]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == created


def test_search_view_types(services: TrackingServices, unique_name: str) -> None:
    exp = services.experiments.create(unique_name, "", [])
    services.experiments.delete(exp.experiment_id)

    def ids(view: ViewType) -> set[str]:
        found: set[str] = set()
        token = ""
        while True:
            page = services.experiments.search("", view, [], 1000, token)
            found |= {e.experiment_id for e in page.items}
            token = page.next_page_token
            if not token:
                return found

    assert exp.experiment_id not in ids(ViewType.ACTIVE_ONLY)
    assert exp.experiment_id in ids(ViewType.DELETED_ONLY)
    assert exp.experiment_id in ids(ViewType.ALL)
    assert "0" not in ids(ViewType.DELETED_ONLY)


def test_page_tokens_are_tamper_checked(services: TrackingServices) -> None:
    for i in range(3):
        services.experiments.create(f"tok-{uuid.uuid4().hex[:8]}-{i}", "", [])
    page = services.experiments.search("", ViewType.ALL, [], 1, "")
    assert page.next_page_token
    payload, signature = page.next_page_token.split(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + signature
    with pytest.raises(InvalidArgument) as caught:
        services.experiments.search("", ViewType.ALL, [], 1, forged)
    assert caught.value.reason == "INVALID_PAGE_TOKEN"
    with pytest.raises(InvalidArgument):  # a token of another query
        services.experiments.search("", ViewType.ALL, ["name"], 1, page.next_page_token)
    with pytest.raises(InvalidArgument):
        services.experiments.search("", ViewType.ALL, [], 1, "garbage")


def test_page_size_limits(services: TrackingServices) -> None:
    with pytest.raises(InvalidArgument) as caught:
        services.experiments.search("", ViewType.ALL, [], 1001, "")
    assert "1..1000" in caught.value.message
    with pytest.raises(InvalidArgument):
        services.experiments.search("", ViewType.ALL, [], -1, "")
