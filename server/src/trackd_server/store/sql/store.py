"""The SQL tracking store: transactions over the aggregate repositories, and initialisation."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from ...domain.entities import LifecycleStage, Metric, Run
from ...domain.errors import TrackdError, Unavailable
from ...domain.search import SearchSpec
from ..protocol import RequestClaim, RunPage, RunReadMask
from .dialect import upsert
from .engine import PING_AFTER_IDLE_SECONDS, WRITE_OPTION, create_engine
from .experiments import SqlExperimentRepository
from .idempotency import SqlIdempotencyRepository
from .metrics import SqlMetricRepository
from .models import ServerSettingRow, table_of
from .new_run import create_run_if_new
from .runs import SqlRunRepository
from .search_runs import search_runs
from .single_point import log_point_if_new

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed number: serialises schema upgrades of server processes sharing one PostgreSQL.
MIGRATION_LOCK_ID = 0x7472_6B64
SETTINGS = table_of(ServerSettingRow)


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

    def search_runs(
        self,
        experiment_ids: Sequence[int],
        stages: Sequence[LifecycleStage],
        spec: SearchSpec,
        limit: int,
        cursor: Sequence[Any] | None,
        mask: RunReadMask | None = None,
    ) -> RunPage:
        return search_runs(self.conn, experiment_ids, stages, spec, limit, cursor, mask)


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


class SqlStore:
    def __init__(
        self,
        uri: str,
        pool_size: int = 10,
        max_overflow: int = 20,
        ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
    ) -> None:
        self.engine = create_engine(
            uri,
            pool_size=pool_size,
            max_overflow=max_overflow,
            ping_after_idle_seconds=ping_after_idle_seconds,
        )

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

    def log_point_if_new(self, run_id: str, point: Metric, claim: RequestClaim | None) -> bool:
        # SQLite has no one-statement path: answer at once, without opening a transaction.
        if self.dialect != "postgresql":
            return False
        with self.transaction(write=True) as tx:
            return log_point_if_new(tx.conn, run_id, point, claim)

    def create_run_if_new(
        self, run: Run, parent_run_id: str, location: str, claim: RequestClaim | None
    ) -> bool:
        if self.dialect != "postgresql":
            return False
        # One statement, committed on its own: no BEGIN or COMMIT round trips.
        with _faults_as_unavailable(), self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            return create_run_if_new(conn, run, parent_run_id, location, claim)

    def upgrade(self) -> None:
        """Brings the schema to the latest revision. Several processes may call this at once."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
                conn.commit()
            try:
                config = alembic_config(self.engine.url.render_as_string(hide_password=False))
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                conn.commit()
            finally:
                if self.dialect == "postgresql":
                    conn.execute(
                        sa.text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID}
                    )
                    conn.commit()

    def setting(self, name: str, default: str) -> str:
        """A server-wide setting; `default` is stored if none is, and the stored one returned,
        so every process on the database agrees."""
        with self.transaction(write=True) as tx:
            tx.conn.execute(
                upsert(tx.conn, SETTINGS)
                .values(name=name, value=default)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            return str(
                tx.conn.execute(
                    sa.select(SETTINGS.c.value).where(SETTINGS.c.name == name)
                ).scalar_one()
            )

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
