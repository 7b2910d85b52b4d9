"""Exactly-once mutations keyed by client request ids.

The request id is claimed in the same transaction as the change it guards, and the first
answer is stored with it. A retry (same id, same request) gets that answer back and changes
nothing; the same id with a different request is refused. Ids are kept for RETENTION_MS."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ..domain.errors import FailedPrecondition
from ..store.protocol import RequestClaim, StoredRequestLike, StoreTransaction, TrackingStore
from . import validation
from .clock import now_ms

T = TypeVar("T")
RETENTION_MS = 24 * 3600 * 1000
NO_ANSWER = b"null"


def fingerprint(method: str, args: Any) -> str:
    canonical = json.dumps([method, args], sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim_for(
    method: str, request_id: str, args: Any, encode: Callable[[T], Any] | None = None
) -> RequestClaim[T] | None:
    """The claim that a store operation guarded by a request id records with its write (None
    without a request id): the same record run_once stores. Without `encode` the write
    answers nothing."""
    if not request_id:
        return None

    def answer(result: T) -> bytes:
        return NO_ANSWER if encode is None else json.dumps(encode(result)).encode()

    return RequestClaim(request_id, method, fingerprint(method, args), now_ms(), answer)


def replay(
    prior: StoredRequestLike,
    method: str,
    request_id: str,
    digest: str,
    decode: Callable[[Any], T] | None = None,
) -> T:
    """The first answer to a request id claimed before; FAILED_PRECONDITION when the id was
    claimed by another request."""
    if prior.method != method or prior.fingerprint != digest:
        raise FailedPrecondition(
            f"request_id {request_id!r} was already used for a different request "
            f"({prior.method}); use a new id for each distinct request",
            reason="REQUEST_ID_REUSED",
            metadata={"request_id": request_id},
        )
    stored = json.loads(prior.response or NO_ANSWER)
    return decode(stored) if decode is not None else cast(T, None)


def run_once(
    store: TrackingStore,
    method: str,
    request_id: str,
    args: Any,
    work: Callable[[StoreTransaction], T],
    encode: Callable[[T], Any] | None = None,
    decode: Callable[[Any], T] | None = None,
) -> T:
    """Runs `work` in a write transaction, at most once per request id. Without `encode` the
    work returns nothing, and its (empty) answer is stored with the claim itself, which saves a
    statement on every such write."""
    validation.request_id(request_id)
    with store.transaction(write=True) as tx:
        if request_id:
            digest = fingerprint(method, args)
            answer = None if encode is not None else NO_ANSWER
            prior = tx.idempotency.claim(request_id, method, digest, now_ms(), answer)
            if prior is not None:
                return replay(prior, method, request_id, digest, decode)
        result = work(tx)
        if request_id and encode is not None:
            tx.idempotency.record(request_id, json.dumps(encode(result)).encode())
        return result
