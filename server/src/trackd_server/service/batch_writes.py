"""Write ids inside a batch: the exactly-once rule of regrouped, re-sent client writes.

A client that queues writes (asynchronous logging) sends them in batches. If a batch's reply is
lost, the client cannot know whether it was stored, and may later send its writes again in
other groupings. A request id cannot protect that: it names one request, not the writes in it.
So each write carries its own id, (writer_id, sequence); the transaction that applies a batch
claims the ids of its writes, skips the writes an earlier committed batch already claimed and
applies the others. A refused batch rolls back with its claims, so its writes stay unapplied
and may be sent again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

from ..domain.entities import BatchWrites, Metric, Param, Tag
from . import validation

MAX_WRITER_ID_LENGTH = 64
MAX_WRITES = validation.MAX_BATCH_METRICS
MAX_SEQUENCE = validation.INT64_MAX


class BatchItems(NamedTuple):
    metrics: Sequence[Metric]
    params: Sequence[Param]
    tags: Sequence[Tag]


def check(
    writes: BatchWrites, metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[Tag]
) -> None:
    """Checks that the write ids are well formed and that their counts cover the batch."""
    if not writes.writer_id or len(writes.writer_id) > MAX_WRITER_ID_LENGTH:
        raise validation.invalid(
            "writes.writer_id", f"must be 1 to {MAX_WRITER_ID_LENGTH} characters"
        )
    validation.no_nul(writes.writer_id, "writes.writer_id")
    if len(writes.writes) > MAX_WRITES:
        raise validation.invalid(
            "writes.writes",
            f"a batch names at most {MAX_WRITES} writes, this one names {len(writes.writes)}",
            reason="BATCH_TOO_LARGE",
        )
    seen: set[int] = set()
    for i, write in enumerate(writes.writes):
        if write.sequence > MAX_SEQUENCE:
            raise validation.invalid(
                f"writes.writes[{i}].sequence", f"must be at most {MAX_SEQUENCE}"
            )
        if write.sequence in seen:
            raise validation.invalid(
                f"writes.writes[{i}].sequence",
                f"sequence {write.sequence} appears twice in one batch",
            )
        seen.add(write.sequence)
    for field, items, counted in (
        ("metrics", metrics, sum(w.metrics for w in writes.writes)),
        ("params", params, sum(w.params for w in writes.writes)),
        ("tags", tags, sum(w.tags for w in writes.writes)),
    ):
        if counted != len(items):
            raise validation.invalid(
                "writes.writes",
                f"the writes' {field} counts add up to {counted}, the batch has {len(items)}",
            )


def unapplied(
    writes: BatchWrites,
    applied: Collection[int],
    metrics: Sequence[Metric],
    params: Sequence[Param],
    tags: Sequence[Tag],
) -> BatchItems:
    """The batch's items that belong to writes not in `applied`, in their order."""
    kept_metrics: list[Metric] = []
    kept_params: list[Param] = []
    kept_tags: list[Tag] = []
    m = p = t = 0
    for write in writes.writes:
        if write.sequence not in applied:
            kept_metrics.extend(metrics[m : m + write.metrics])
            kept_params.extend(params[p : p + write.params])
            kept_tags.extend(tags[t : t + write.tags])
        m, p, t = m + write.metrics, p + write.params, t + write.tags
    return BatchItems(kept_metrics, kept_params, kept_tags)
