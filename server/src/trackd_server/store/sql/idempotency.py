"""SQL persistence of request ids (with the first answer given to each) and of the write ids
that batches applied (see service/batch_writes.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from .dialect import upsert
from .models import AppliedWritesRow, IdempotencyRow, table_of

KEYS = table_of(IdempotencyRow)
WRITES = table_of(AppliedWritesRow)


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

    def claim_writes(self, writer_id: str, sequences: Sequence[int], now: int) -> set[int]:
        if not sequences:
            return set()
        if self._conn.dialect.name == "postgresql":
            # Two batches of one writer in flight at once (a retry racing its original) would
            # both see the ids unclaimed; the second waits here until the first commits.
            # SQLite needs nothing: its write transactions run one at a time.
            self._conn.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(writer_id, 0)))
            )
        low, high = min(sequences), max(sequences)
        # The ranges that overlap the batch's span or touch it (to be merged with its ids).
        nearby = self._conn.execute(
            sa.select(WRITES.c.first_sequence, WRITES.c.last_sequence).where(
                WRITES.c.writer_id == writer_id,
                WRITES.c.last_sequence >= low - 1,
                WRITES.c.first_sequence <= high + 1,
            )
        ).all()
        applied = {seq for seq in sequences if any(first <= seq <= last for first, last in nearby)}
        if len(applied) == len(sequences):
            return applied
        merged = _ranges(sequences, [(first, last) for first, last in nearby])
        if nearby:
            self._conn.execute(
                sa.delete(WRITES).where(
                    WRITES.c.writer_id == writer_id,
                    WRITES.c.first_sequence.in_([first for first, _ in nearby]),
                )
            )
        self._conn.execute(
            sa.insert(WRITES),
            [
                {
                    "writer_id": writer_id,
                    "first_sequence": first,
                    "last_sequence": last,
                    "created_at": now,
                }
                for first, last in merged
            ],
        )
        return applied

    def expire(self, older_than: int) -> int:
        keys = self._conn.execute(sa.delete(KEYS).where(KEYS.c.created_at < older_than))
        writes = self._conn.execute(sa.delete(WRITES).where(WRITES.c.created_at < older_than))
        return int(keys.rowcount or 0) + int(writes.rowcount or 0)


def _ranges(points: Iterable[int], spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The maximal runs of consecutive integers covering `points` and every (first, last) span."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted([*((p, p) for p in points), *spans]):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
