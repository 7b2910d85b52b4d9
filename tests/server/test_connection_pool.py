"""Pooled PostgreSQL connections that the server side closed (a restart, a proxy's idle
timeout): a connection idle longer than the ping threshold is checked and replaced before use;
one in steady use is not pinged, and if it did die the request fails as UNAVAILABLE (which
clients retry) and the pool recovers on the next request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from trackd_server.domain.errors import Unavailable
from trackd_server.store.sql.store import SqlStore

from tests.support.postgres import create_database, drop_database


@pytest.fixture
def own_db_url(pg_admin_url: str) -> Iterator[str]:
    """A database of this test's own: the test kills every connection to it."""
    name = f"trackd_pool_{uuid.uuid4().hex[:8]}"
    yield create_database(pg_admin_url, name)
    drop_database(pg_admin_url, name)


def _terminate_backends(pg_admin_url: str, store: SqlStore) -> int:
    """Kills every connection to the store's database and returns how many there were, once
    they are gone: pg_terminate_backend only signals, and a backend still alive would answer
    the next query."""
    database = store.engine.url.database
    with psycopg.connect(pg_admin_url.replace("+psycopg", ""), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
        pids = [pid for (pid,) in rows]
        # Waits up to 30 s, in the server, for each backend to exit.
        gone = admin.execute(
            "SELECT bool_and(pg_terminate_backend(pid, 30000)) FROM unnest(%s::int[]) AS pid",
            (pids,),
        ).fetchone()
    assert gone is not None and gone[0] is not False, "a backend outlived pg_terminate_backend"
    return len(pids)


def _read(store: SqlStore) -> int:
    with store.transaction(write=False) as tx:
        return int(tx.conn.execute(sa.text("SELECT 1")).scalar_one())


def test_idle_connection_is_pinged_and_replaced(own_db_url: str, pg_admin_url: str) -> None:
    # A threshold of 0: any checked-in connection counts as idle, so no test time is spent
    # waiting for it to become so (the busy test below uses one it never reaches).
    store = SqlStore(own_db_url, pool_size=1, max_overflow=0, ping_after_idle_seconds=0)
    try:
        assert _read(store) == 1
        assert _terminate_backends(pg_admin_url, store) >= 1
        assert _read(store) == 1  # no error: the ping found the dead connection first
    finally:
        store.dispose()


def test_busy_connection_failure_is_unavailable_then_recovers(
    own_db_url: str, pg_admin_url: str
) -> None:
    store = SqlStore(own_db_url, pool_size=1, max_overflow=0, ping_after_idle_seconds=3600)
    try:
        assert _read(store) == 1
        assert _terminate_backends(pg_admin_url, store) >= 1
        with pytest.raises(Unavailable):
            _read(store)
        assert _read(store) == 1
    finally:
        store.dispose()


def test_server_sessions_run_with_the_documented_planner_settings(own_db_url: str) -> None:
    store = SqlStore(own_db_url, pool_size=1, max_overflow=0)
    try:
        with store.engine.connect() as conn:
            settings = {
                name: conn.exec_driver_sql(f"SHOW {name}").scalar_one()
                for name in (
                    "jit",
                    "plan_cache_mode",
                    "max_parallel_workers_per_gather",
                    "enable_memoize",
                )
            }
    finally:
        store.dispose()
    assert settings == {
        "jit": "off",
        "plan_cache_mode": "force_custom_plan",
        "max_parallel_workers_per_gather": "0",
        "enable_memoize": "off",
    }
