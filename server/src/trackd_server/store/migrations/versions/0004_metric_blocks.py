"""Summaries of metric histories: metric_blocks, and latest_metrics.sealed_step/_timestamp.

A downsampled history read then touches one row per 64 points instead of every point (see
store/sql/summaries.py). Existing series get no blocks here: they are summarised on their first
downsampled read.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _point(prefix: str, nullable: bool) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(f"{prefix}_id", sa.BigInteger(), nullable=nullable),
        sa.Column(f"{prefix}_step", sa.BigInteger(), nullable=nullable),
        sa.Column(f"{prefix}_timestamp", sa.BigInteger(), nullable=nullable),
        sa.Column(f"{prefix}_value", sa.Float(precision=53), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "metric_blocks",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("block", sa.BigInteger(), autoincrement=False, nullable=False),
        *_point("first", nullable=False),
        *_point("last", nullable=False),
        *_point("min", nullable=True),
        *_point("max", nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_metric_blocks_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "key", "block", name=op.f("pk_metric_blocks")),
    )
    with op.batch_alter_table("latest_metrics") as batch:
        batch.add_column(sa.Column("sealed_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("sealed_timestamp", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("latest_metrics") as batch:
        batch.drop_column("sealed_timestamp")
        batch.drop_column("sealed_step")
    op.drop_table("metric_blocks")
