"""Params and run tags get an index on (key, value prefix, run_id).

Without it a filter such as `params.optimizer = 'adam'` reads every param row of the searched
runs. Values can be 8000 characters, longer than a btree entry may be, so the index holds the
first 200 characters (models.VALUE_PREFIX) and the filter compiler rechecks longer values.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Written out rather than imported: a revision must keep meaning what it meant when written.
PREFIX = "substr(value, 1, 200)"


def upgrade() -> None:
    op.create_index(
        "ix_params_key_value_prefix", "params", ["key", sa.text(PREFIX), "run_id"], unique=False
    )
    op.create_index(
        "ix_run_tags_key_value_prefix", "run_tags", ["key", sa.text(PREFIX), "run_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_run_tags_key_value_prefix", table_name="run_tags")
    op.drop_index("ix_params_key_value_prefix", table_name="params")
