"""Params and run tags get an index on (key, value prefix, run_id).

Without it a filter such as `params.optimizer = 'adam'` reads every param row of the searched
runs. Values can be 8000 characters, longer than a btree entry may be, so the index holds the
first 200 characters (models.VALUE_PREFIX) and the filter compiler rechecks longer values.

On PostgreSQL (14 and later) the pair (key, value prefix) also gets extended statistics. Without
them the planner multiplies the selectivity of `key = 'p1'` by that of the value over all keys:
a value common for one key but rare across keys is underestimated twenty-fold, and a search
ordered by a metric with LIMIT then joins every matching param first instead of walking the
metric's index in order and stopping after one page (measured at 10^4 runs: 13.7 -> 6 ms).

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
TABLES = ("params", "run_tags")


def _has_expression_statistics() -> bool:
    dialect = op.get_bind().dialect
    return dialect.name == "postgresql" and (dialect.server_version_info or (0,)) >= (14,)


def upgrade() -> None:
    for table in TABLES:
        op.create_index(
            f"ix_{table}_key_value_prefix", table, ["key", sa.text(PREFIX), "run_id"], unique=False
        )
        if _has_expression_statistics():
            op.execute(
                f"CREATE STATISTICS st_{table}_key_value_prefix (mcv) ON key, {PREFIX} FROM {table}"
            )
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if _has_expression_statistics():
        for table in TABLES:
            op.execute(f"DROP STATISTICS IF EXISTS st_{table}_key_value_prefix")
    op.drop_index("ix_run_tags_key_value_prefix", table_name="run_tags")
    op.drop_index("ix_params_key_value_prefix", table_name="params")
