"""Fixtures for the Python client tests: clients of the session's real servers (SQLite and
PostgreSQL, see tests/conftest.py) and a clean fluent-API state per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import trackd
from trackd import _env, fluent

TRACKD_ENV = (
    _env.TRACKING_URI,
    _env.EXPERIMENT_NAME,
    _env.EXPERIMENT_ID,
    _env.RUN_ID,
    _env.REQUEST_TIMEOUT,
    _env.REQUEST_MAX_RETRIES,
    _env.REQUEST_BACKOFF_FACTOR,
)


@pytest.fixture()
def fluent_api(tracking_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Points the fluent API at the server with no environment, no active experiment and no
    active run; ends whatever run the test leaves open. Yields the tracking URI."""
    for name in TRACKD_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(fluent, "_active_experiment_id", None)
    trackd.set_tracking_uri(tracking_uri)
    try:
        yield tracking_uri
    finally:
        while trackd.active_run() is not None:
            trackd.end_run()
        _env.set_tracking_uri(None)


def new_name(prefix: str = "exp") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
