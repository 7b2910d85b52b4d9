"""Engines for the two supported databases.

PostgreSQL goes through psycopg 3 with a bounded connection pool. SQLite runs in WAL mode with
foreign keys on; write transactions start with BEGIN IMMEDIATE so concurrent writers queue on
the busy timeout instead of failing when a read lock would have to be upgraded.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
import sqlalchemy as sa
from psycopg.types.json import set_json_loads
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from ...domain.errors import InvalidArgument

WRITE_OPTION = "trackd_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_SECONDS = 10.0
# Settings of every PostgreSQL session of the server (why: see create_engine).
POSTGRES_SESSION_OPTIONS = (
    "-c jit=off -c plan_cache_mode=force_custom_plan -c max_parallel_workers_per_gather=0"
    " -c enable_memoize=off"
)


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


def create_engine(
    uri: str,
    pool_size: int = 10,
    max_overflow: int = 20,
    ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
) -> Engine:
    url = normalise_url(uri)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    engine = sa.create_engine(
        url,
        # The JIT compiles for hundreds of milliseconds on queries that run in a few; our
        # queries are short index walks that never repay it. Custom plans: psycopg prepares a
        # statement after a few runs, and PostgreSQL's generic plan for the windowed history
        # query (no parameter values to estimate with) is several times slower. No parallel
        # workers: starting them costs milliseconds, and the planner chose them for reading one
        # page's tags, params and metrics (measured at 10^4 runs: 9.4 ms instead of 2). No
        # Memoize nodes: the planner puts them over per-run probes (a search's filter terms),
        # where every run id is new and the cache never hits; without them the benchmark's
        # filtered search was 0.65 ms faster (median, interleaved A/B at 10^4 runs).
        connect_args={"options": POSTGRES_SESSION_OPTIONS},
        pool_size=pool_size,
        max_overflow=max_overflow,
        # Last in, first out: under light load the same few connections serve every request,
        # so their prepared statements and the backends' caches stay warm.
        pool_use_lifo=True,
        pool_recycle=1800,
    )
    _ping_after_idle(engine, ping_after_idle_seconds)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # A search page carries one JSON document per run (runs/data.py, json_data_column);
        # orjson decodes them several times faster than the standard library.
        set_json_loads(orjson.loads, dbapi_connection)

    return engine


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Checks a pooled connection with a round trip only when it sat idle for `idle_seconds`.

    SQLAlchemy's pool_pre_ping pings on every checkout, which is one more round trip on every
    request (a tenth of a single log_metric call). A connection in steady use has just proved
    itself alive; one that sat idle may have been closed by the server, a proxy or a restart,
    so it is pinged, and replaced when the ping fails (the pool retries the checkout).
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["trackd_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("trackd_idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:  # any failure means the connection cannot be trusted
            raise sa.exc.DisconnectionError(f"pooled connection failed its ping: {exc}") from exc


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
