"""Exactly-once mutations keyed by client request ids.

The request id is claimed in the same transaction as the change it guards, and the first
answer is stored with it. A retry (same id, same request) gets that answer back and changes
nothing; the same id with a different request is refused. Ids are kept for RETENTION_MS."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from ..domain.errors import FailedPrecondition
from ..store.protocol import StoreTransaction, TrackingStore
from . import validation
from .clock import now_ms

T = TypeVar("T")
RETENTION_MS = 24 * 3600 * 1000


def fingerprint(method: str, args: Any) -> str:
    canonical = json.dumps([method, args], sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    store: TrackingStore,
    method: str,
    request_id: str,
    args: Any,
    work: Callable[[StoreTransaction], T],
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> T:
    """Runs `work` in a write transaction, at most once per request id."""
    validation.request_id(request_id)
    with store.transaction(write=True) as tx:
        if request_id:
            digest = fingerprint(method, args)
            prior = tx.idempotency.claim(request_id, method, digest, now_ms())
            if prior is not None:
                if prior.method != method or prior.fingerprint != digest:
                    raise FailedPrecondition(
                        f"request_id {request_id!r} was already used for a different request "
                        f"({prior.method}); use a new id for each distinct request",
                        reason="REQUEST_ID_REUSED",
                        metadata={"request_id": request_id},
                    )
                return decode(json.loads(prior.response or b"null"))
        result = work(tx)
        if request_id:
            tx.idempotency.record(request_id, json.dumps(encode(result)).encode())
        return result


def no_result(_: Any) -> None:
    return None
