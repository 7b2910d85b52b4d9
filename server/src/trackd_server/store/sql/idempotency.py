"""SQL persistence of request ids and the first answer given to each."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from .dialect import upsert
from .models import IdempotencyRow, table_of

KEYS = table_of(IdempotencyRow)


@dataclass(frozen=True)
class StoredRequest:
    method: str
    fingerprint: str
    response: bytes | None


class SqlIdempotencyRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def claim(
        self,
        request_id: str,
        method: str,
        fingerprint: str,
        now: int,
        response: bytes | None = None,
    ) -> StoredRequest | None:
        """Claims a request id for this transaction. Returns None when the claim is new, else the
        request that claimed it first. On PostgreSQL a concurrent claim of the same id waits
        until the first transaction ends, so a retry racing the original sees its answer."""
        inserted = self._conn.execute(
            upsert(self._conn, KEYS)
            .values(
                request_id=request_id,
                method=method,
                fingerprint=fingerprint,
                created_at=now,
                response=response,
            )
            .on_conflict_do_nothing(index_elements=["request_id"])
            .returning(KEYS.c.request_id)
        ).first()
        if inserted is not None:
            return None
        row = self._conn.execute(
            sa.select(KEYS.c.method, KEYS.c.fingerprint, KEYS.c.response).where(
                KEYS.c.request_id == request_id
            )
        ).one()
        return StoredRequest(row.method, row.fingerprint, row.response)

    def record(self, request_id: str, response: bytes) -> None:
        self._conn.execute(
            sa.update(KEYS).where(KEYS.c.request_id == request_id).values(response=response)
        )

    def expire(self, older_than: int) -> int:
        result = self._conn.execute(sa.delete(KEYS).where(KEYS.c.created_at < older_than))
        return int(result.rowcount or 0)
