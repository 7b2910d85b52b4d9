"""Fixtures for service-level tests: the services over a real store of each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from trackd_server.service.tracking import TrackingServices, build_services
from trackd_server.store.sql.store import SqlStore

from tests.support.stores import upgraded_store


@pytest.fixture(scope="session")
def store(backend_url: str) -> Iterator[SqlStore]:
    with upgraded_store(backend_url) as sql_store:
        yield sql_store


@pytest.fixture(scope="session")
def services(store: SqlStore) -> TrackingServices:
    return build_services(store, "file:///tmp/trackd-test-artifacts")


@pytest.fixture()
def experiment_id(services: TrackingServices, unique_name: str) -> str:
    return services.experiments.create(unique_name, "", []).experiment_id


@pytest.fixture()
def run_id(services: TrackingServices, experiment_id: str) -> str:
    return services.runs.create(experiment_id, "", None, [], "", "tester").info.run_id
