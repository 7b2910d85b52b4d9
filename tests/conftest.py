"""Shared fixtures: a real PostgreSQL database per test session and real trackd servers.

PostgreSQL is required. `make test` provides it (tools/ensure_postgres.sh) and exports
TRACKD_TEST_PG_URL, the URL of a role allowed to create databases. Without it the tests fail;
they never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import trackd

from tests.support.postgres import create_database, drop_database
from tests.support.servers import ServerProcess, start_server


def _admin_url() -> str:
    url = os.environ.get("TRACKD_TEST_PG_URL")
    if not url:
        pytest.fail(
            "TRACKD_TEST_PG_URL is not set: run the tests with `make test`, which starts "
            "PostgreSQL, or export the URL of a role that may create databases."
        )
    return url


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    return _admin_url()


@pytest.fixture(scope="session")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session."""
    name = f"trackd_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    yield url
    drop_database(pg_admin_url, name)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'trackd.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest) -> str:
    """The URL of each store backend in turn: SQLite, then PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture(scope="session")
def server(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real `trackd server` process on loopback, once per backend."""
    proc = start_server(backend_url, tmp_path_factory.mktemp("server"))
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def tracking_uri(server: ServerProcess) -> str:
    return server.grpc_uri


@pytest.fixture()
def unique_name() -> str:
    return f"exp-{uuid.uuid4().hex[:10]}"


@pytest.fixture()
def client(tracking_uri: str) -> Iterator[trackd.TrackingClient]:
    """The Python client on the session's server (suites may define their own)."""
    with trackd.TrackingClient(tracking_uri) as c:
        yield c


@pytest.fixture()
def experiment_id(client: trackd.TrackingClient, unique_name: str) -> str:
    return client.create_experiment(unique_name)


@pytest.fixture()
def run_id(client: trackd.TrackingClient, experiment_id: str) -> str:
    return client.create_run(experiment_id).info.run_id


# A closing line that says how many tests ran against PostgreSQL, so a run that quietly used
# only SQLite is visible in CI's output.
_POSTGRES_FIXTURES = {"pg_url", "pg_admin_url"}
_postgres_tests: set[str] = set()
_postgres_outcomes = {"passed": 0, "failed": 0}


def _uses_postgres(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if names & _POSTGRES_FIXTURES:
        return True
    callspec = getattr(item, "callspec", None)
    return bool(callspec and callspec.params.get("backend_url") == "postgresql")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _postgres_tests.update(item.nodeid for item in items if _uses_postgres(item))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid not in _postgres_tests:
        return
    if report.when == "call" and report.passed:
        _postgres_outcomes["passed"] += 1
    elif report.failed:
        _postgres_outcomes["failed"] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _postgres_tests:
        passed, failed = _postgres_outcomes["passed"], _postgres_outcomes["failed"]
        terminalreporter.write_line(f"PostgreSQL-backed tests: {passed} passed, {failed} failed")
