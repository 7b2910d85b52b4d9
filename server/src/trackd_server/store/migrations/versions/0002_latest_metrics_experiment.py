"""latest_metrics carries its run's experiment id, indexed with the metric key and value.

A search ordered or filtered by one metric can then walk only the searched experiments' part of
the (key, experiment_id, value, run_id) index instead of every run's value for that key.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("latest_metrics") as batch:
        batch.add_column(sa.Column("experiment_id", BIG_ID, nullable=True))
    op.execute(
        "UPDATE latest_metrics SET experiment_id = "
        "(SELECT runs.experiment_id FROM runs WHERE runs.run_id = latest_metrics.run_id)"
    )
    with op.batch_alter_table("latest_metrics") as batch:
        batch.alter_column("experiment_id", existing_type=BIG_ID, nullable=False)
        batch.drop_index("ix_latest_metrics_key_value")
        batch.create_index(
            "ix_latest_metrics_key_experiment_id_value_run_id",
            ["key", "experiment_id", "value", "run_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("latest_metrics") as batch:
        batch.drop_index("ix_latest_metrics_key_experiment_id_value_run_id")
        batch.create_index("ix_latest_metrics_key_value", ["key", "value"])
        batch.drop_column("experiment_id")
