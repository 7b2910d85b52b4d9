"""Reading result rows cheaply."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def driver_rows(result: sa.CursorResult[Any]) -> list[Any]:
    """All rows of a result as the driver's own tuples. For pages of 25000 points SQLAlchemy's
    Row objects cost more than the query itself, and these columns need no conversion
    (SQLite's 0/1 booleans are only tested for truth)."""
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()
