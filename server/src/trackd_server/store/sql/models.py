"""Tables of the SQL store.

Designed for 10^6 runs and 10^9 metric points: metric history is an append-only table keyed by
a surrogate id (no primary key spanning every column), the latest value per (run, key) is kept
in its own table for reads and searches, and every lookup the API makes has an index.
Any change here needs an Alembic revision in store/migrations/versions (a test compares them).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# Param and tag values (up to 8000 characters) are too long for a btree entry, so they are
# indexed by their first VALUE_PREFIX characters: a filter `params.p = 'v'` probes the prefix
# and, only when `v` is that long, rechecks the whole value. The expression is spelled the same
# way in the index and in store/sql/filters.py, and both databases match it literally.
VALUE_PREFIX = 200
VALUE_PREFIX_SQL = f"substr(value, 1, {VALUE_PREFIX})"

# Stable, short lifecycle and status codes stored as strings (readable in SQL, cheap to index).
STAGE_LENGTH = 16
STATUS_LENGTH = 16


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model (typed as such: the store queries with Core, not the ORM)."""
    return cast(Table, model.__table__)


class ExperimentRow(Base):
    __tablename__ = "experiments"

    experiment_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    artifact_location: Mapped[str] = mapped_column(Text)
    lifecycle_stage: Mapped[str] = mapped_column(String(STAGE_LENGTH))
    creation_time: Mapped[int] = mapped_column(BigInteger)
    last_update_time: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index(None, "lifecycle_stage", "creation_time", "experiment_id"),)


class ExperimentTagRow(Base):
    __tablename__ = "experiment_tags"

    experiment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("experiments.experiment_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RunRow(Base):
    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("experiments.experiment_id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(250))
    user_id: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(STATUS_LENGTH))
    start_time: Mapped[int] = mapped_column(BigInteger)
    end_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    artifact_uri: Mapped[str] = mapped_column(Text)
    lifecycle_stage: Mapped[str] = mapped_column(String(STAGE_LENGTH))

    # The default search: runs of an experiment, newest first, run id as tie-break.
    __table_args__ = (Index(None, "experiment_id", "lifecycle_stage", "start_time", "run_id"),)


class RunTagRow(Base):
    __tablename__ = "run_tags"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

    # Filters on one tag's value across runs (`tags.team = 'vision'`).
    __table_args__ = (
        Index("ix_run_tags_key_value_prefix", "key", text(VALUE_PREFIX_SQL), "run_id"),
    )


class ParamRow(Base):
    __tablename__ = "params"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

    # Filters on one param's value across runs (`params.optimizer = 'adam'`).
    __table_args__ = (Index("ix_params_key_value_prefix", "key", text(VALUE_PREFIX_SQL), "run_id"),)


class MetricRow(Base):
    """Every logged point; append-only. NaN is stored as is_nan with value 0 (SQLite has no NaN)."""

    __tablename__ = "metrics"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.run_id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(250))
    value: Mapped[float] = mapped_column(Float(precision=53))
    is_nan: Mapped[bool] = mapped_column(Boolean, default=False)
    step: Mapped[int] = mapped_column(BigInteger)
    timestamp: Mapped[int] = mapped_column(BigInteger)

    # History of one series in (step, timestamp, logging order).
    __table_args__ = (Index(None, "run_id", "key", "step", "timestamp", "id"),)


class LatestMetricRow(Base):
    """The latest point per (run, key): greatest step, then timestamp, then logged last."""

    __tablename__ = "latest_metrics"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[float] = mapped_column(Float(precision=53))
    is_nan: Mapped[bool] = mapped_column(Boolean, default=False)
    step: Mapped[int] = mapped_column(BigInteger)
    timestamp: Mapped[int] = mapped_column(BigInteger)
    # The run's experiment, copied here (runs never move) so that a search ordered or filtered by
    # one metric walks only the searched experiments' entries of the index below. No foreign
    # key: the run's own key already ties the row to an existing experiment.
    experiment_id: Mapped[int] = mapped_column(BigId)
    # (step, timestamp) of the last point that metric_blocks summarise; NULL when none is. A
    # writer reads it back from its upsert (RETURNING) to learn, without another query, whether
    # its points land inside summarised blocks (see summaries.py).
    sealed_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sealed_timestamp: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    # Filters and sorts on one metric across the runs of some experiments (`metrics.loss < 0.1`).
    # is_nan rides along so that those reads never visit the table (migration 0005).
    __table_args__ = (Index(None, "key", "experiment_id", "value", "run_id", "is_nan"),)


class MetricBlockRow(Base):
    """Summary of block `block` of a series: the points at positions 64*block .. 64*block+63
    (summaries.BLOCK_POINTS) in (step, timestamp, id) order, with its first, last, minimum and
    maximum point written out, so that a downsampled read touches one row per 64 points.
    Blocks form a prefix of the series (0, 1, 2, ...); see summaries.py for their upkeep.
    A NULL first/last value is NaN; the min/max columns are NULL when every point is NaN."""

    __tablename__ = "metric_blocks"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    block: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_id: Mapped[int] = mapped_column(BigInteger)
    first_step: Mapped[int] = mapped_column(BigInteger)
    first_timestamp: Mapped[int] = mapped_column(BigInteger)
    first_value: Mapped[float | None] = mapped_column(Float(precision=53), nullable=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_step: Mapped[int] = mapped_column(BigInteger)
    last_timestamp: Mapped[int] = mapped_column(BigInteger)
    last_value: Mapped[float | None] = mapped_column(Float(precision=53), nullable=True)
    min_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    min_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    min_timestamp: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    min_value: Mapped[float | None] = mapped_column(Float(precision=53), nullable=True)
    max_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    max_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    max_timestamp: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    max_value: Mapped[float | None] = mapped_column(Float(precision=53), nullable=True)


class IdempotencyRow(Base):
    """The first answer to each mutating request that carried a request id."""

    __tablename__ = "idempotency_keys"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    method: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger, index=True)


class AppliedWritesRow(Base):
    """Write ids (writer, sequence) that batches have applied, as ranges of sequences: a
    writer's ids are mostly consecutive, so a long training job keeps one row, not one per
    point. A writer's ranges never overlap."""

    __tablename__ = "applied_writes"

    writer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger, index=True)

    # The ranges that may touch a new batch end at or after its first sequence: with this
    # index a claim reads only those, however many older ranges the writer has.
    __table_args__ = (Index(None, "writer_id", "last_sequence"),)


class ServerSettingRow(Base):
    """Settings shared by every server process on one database (for example the page-token key)."""

    __tablename__ = "server_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
