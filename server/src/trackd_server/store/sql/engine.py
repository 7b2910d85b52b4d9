"""Engines for the two supported databases.

PostgreSQL goes through psycopg 3 with a bounded connection pool. SQLite runs in WAL mode with
foreign keys on; write transactions start with BEGIN IMMEDIATE so concurrent writers queue on
the busy timeout instead of failing when a read lock would have to be upgraded.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from ...domain.errors import InvalidArgument

WRITE_OPTION = "trackd_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(uri: str) -> URL:
    """Accepts `postgresql://`, `postgres://`, `postgresql+psycopg://` and `sqlite:///path`."""
    try:
        url = make_url(uri)
    except sa.exc.ArgumentError as exc:
        raise InvalidArgument(f"backend store URI {uri!r} is not a database URL: {exc}") from exc
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url.set(drivername="sqlite+pysqlite")
    raise InvalidArgument(
        f"backend store URI scheme {url.drivername!r} is not supported; use postgresql:// or sqlite:///"
    )


def create_engine(uri: str, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    url = normalise_url(uri)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return sa.create_engine(
        url,
        # The JIT compiles for hundreds of milliseconds on queries that run in a few; our
        # queries are short index walks that never repay it. Custom plans: psycopg prepares a
        # statement after a few runs, and PostgreSQL's generic plan for the windowed history
        # query (no parameter values to estimate with) is several times slower.
        connect_args={"options": "-c jit=off -c plan_cache_mode=force_custom_plan"},
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def _sqlite_engine(url: URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling is lazy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
