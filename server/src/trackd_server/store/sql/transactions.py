"""Transactions over the aggregate repositories."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from ...domain.errors import TrackdError, Unavailable
from ..protocol import RunPage, RunSearch
from .engine import WRITE_OPTION
from .experiments.repository import SqlExperimentRepository
from .idempotency import SqlIdempotencyRepository
from .metrics.repository import SqlMetricRepository
from .runs.repository import SqlRunRepository
from .runs.search import search_runs

log = logging.getLogger(__name__)


class SqlTransaction:
    """One database transaction with a repository per aggregate."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.experiments = SqlExperimentRepository(conn)
        self.runs = SqlRunRepository(conn)
        self.metrics = SqlMetricRepository(conn)
        self.idempotency = SqlIdempotencyRepository(conn)

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def search_runs(self, search: RunSearch, limit: int, cursor: Sequence[Any] | None) -> RunPage:
        return search_runs(self.conn, search, limit, cursor)


@contextmanager
def _faults_as_unavailable() -> Iterator[None]:
    """Database faults that a retry may cure (connection lost, lock timeout) become
    Unavailable."""
    try:
        yield
    except TrackdError:
        raise
    except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError) as exc:
        log.warning("database unavailable: %s", exc)
        cause = getattr(exc, "orig", None) or exc
        raise Unavailable(f"the database is unavailable, retry later: {cause}") from exc


class Database:
    """Transactions on one engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, write: bool) -> Iterator[SqlTransaction]:
        """Commits when the block ends normally, rolls back when it raises. Database faults
        that a retry may cure (connection lost, lock timeout) become Unavailable."""
        with _faults_as_unavailable(), self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: write})
            with conn.begin():
                yield SqlTransaction(conn)

    @contextmanager
    def autocommit(self) -> Iterator[sa.Connection]:
        """A connection on which each statement is its own transaction: no BEGIN or COMMIT
        round trips, for writes made in one statement."""
        with _faults_as_unavailable(), self.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")
