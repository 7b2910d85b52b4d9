"""The few statements whose SQL differs between PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def upsert(conn: sa.Connection, table: sa.Table) -> Any:
    """An INSERT that supports ON CONFLICT clauses on the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def among(conn: sa.Connection, column: sa.ColumnElement[Any], values: Collection[Any]) -> Any:
    """`column IN (values)`. On PostgreSQL the values travel as one array parameter
    (`= ANY(:values)`): a page of 1000 runs would otherwise be 1000 parameters, which the driver
    spends longer parsing than the database spends answering."""
    if conn.dialect.name == "postgresql":
        array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return column == sa.any_(array)
    return column.in_(list(values))
