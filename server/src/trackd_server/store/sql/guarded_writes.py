"""The general path of a write guarded by a request claim (see service/idempotency.py): the
claim and the write in one transaction, so a retried request id writes nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..protocol import Refusal, Refused, Replayed, RequestClaim, Written

if TYPE_CHECKING:
    from .transactions import Database, SqlTransaction

T = TypeVar("T")


class Refuse(Exception):
    """Raised by the work of claimed_write: rolls its transaction back (the claim too)."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def claimed_write(
    db: Database,
    claim: RequestClaim[T] | None,
    work: Callable[[SqlTransaction], T],
    answer: bytes | None = None,
) -> Written[T] | Replayed | Refused:
    """Claims the request id, then does `work`, in one write transaction; the answer recorded
    with the claim is `answer` when the caller knows it beforehand (one statement fewer), else
    the encoding of what the work returns. A request id claimed before writes nothing."""
    try:
        with db.transaction(write=True) as tx:
            if claim is not None:
                prior = tx.idempotency.claim(
                    claim.request_id, claim.method, claim.fingerprint, claim.now, answer
                )
                if prior is not None:
                    return Replayed(prior)
            value = work(tx)
            if claim is not None and answer is None:
                tx.idempotency.record(claim.request_id, claim.encode(value))
            return Written(value)
    except Refuse as refusal:
        return Refused(refusal.reason)
