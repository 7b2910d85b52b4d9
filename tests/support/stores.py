"""A SQL store on a test database, schema brought up by the store's own migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from trackd_server.store.sql.store import SqlStore


@contextmanager
def upgraded_store(url: str) -> Iterator[SqlStore]:
    """The store on `url`, upgraded to the latest schema; its pool is closed afterwards."""
    store = SqlStore(url)
    store.upgrade()
    try:
        yield store
    finally:
        store.dispose()
