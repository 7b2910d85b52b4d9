"""Alembic environment: runs on the connection the store passes in (so upgrades happen under
its advisory lock), or on the configured URL when Alembic is used directly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from trackd_server.store.sql.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        run_migrations(conn)
        conn.commit()
