"""applied_writes: the write ids (writer, sequence) that batches applied, as ranges.

Lets a client regroup and re-send queued writes (asynchronous logging after a lost reply)
without a write being applied twice; see service/batch_writes.py.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applied_writes",
        sa.Column("writer_id", sa.String(64), nullable=False),
        sa.Column("first_sequence", sa.BigInteger(), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("writer_id", "first_sequence", name="pk_applied_writes"),
    )
    op.create_index(
        "ix_applied_writes_writer_id_last_sequence",
        "applied_writes",
        ["writer_id", "last_sequence"],
    )
    op.create_index("ix_applied_writes_created_at", "applied_writes", ["created_at"])


def downgrade() -> None:
    op.drop_table("applied_writes")
