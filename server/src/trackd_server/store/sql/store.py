"""The SQL tracking store: the operations of the store protocol, and initialisation."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from ...domain.entities import Metric, Run
from ..protocol import (
    MetricSeries,
    NewRun,
    Refused,
    Replayed,
    RequestClaim,
    Sampling,
    SeriesBatch,
    Written,
)
from .dialect import upsert
from .engine import PING_AFTER_IDLE_SECONDS, create_engine
from .metrics import append as metric_append
from .metrics import series as metric_series
from .models import ServerSettingRow, table_of
from .runs import creation
from .transactions import Database, SqlTransaction

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed number: serialises schema upgrades of server processes sharing one PostgreSQL.
MIGRATION_LOCK_ID = 0x7472_6B64
SETTINGS = table_of(ServerSettingRow)


class SqlStore:
    """The tracking store on PostgreSQL or SQLite. Each operation chooses its way inside the
    aggregate modules: one statement where PostgreSQL allows it, the general path otherwise."""

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
        self._db = Database(self.engine)
        self._locations = creation.ExperimentLocations()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def transaction(self, write: bool) -> AbstractContextManager[SqlTransaction]:
        """Commits when the block ends normally, rolls back when it raises. Database faults
        that a retry may cure (connection lost, lock timeout) become Unavailable."""
        return self._db.transaction(write)

    def log_metric(
        self, run_id: str, point: Metric, claim: RequestClaim[None] | None
    ) -> Written[None] | Replayed | Refused:
        return metric_append.log_metric(self._db, run_id, point, claim)

    def create_run(
        self, new: NewRun, claim: RequestClaim[Run] | None
    ) -> Written[Run] | Replayed | Refused:
        return creation.create_run(self._db, self._locations, new, claim)

    def series(self, run_id: str, key: str, sampling: Sampling) -> MetricSeries | None:
        return metric_series.series(self._db, run_id, key, sampling)

    def series_batch(
        self, run_ids: Sequence[str], keys: Sequence[str], sampling: Sampling, max_scanned: int
    ) -> SeriesBatch:
        return metric_series.series_batch(self._db, run_ids, keys, sampling, max_scanned)

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
