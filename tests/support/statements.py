"""What a block of code sends to the database, for tests that count or inspect statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@contextmanager
def recorded_statements(engine: sqlalchemy.Engine) -> Iterator[list[tuple[str, Any]]]:
    """The (statement, parameters) pairs the engine executes while the block runs, as the
    driver receives them; BEGIN, COMMIT and ROLLBACK are left out."""
    recorded: list[tuple[str, Any]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            recorded.append((statement, parameters))

    sqlalchemy.event.listen(engine, "before_cursor_execute", record)
    try:
        yield recorded
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", record)
