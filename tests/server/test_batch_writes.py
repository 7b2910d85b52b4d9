"""Write ids inside LogBatch: a write is applied once, however it is regrouped or re-sent."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa
from trackd_server.domain.entities import BatchWrite, BatchWrites, Metric, Param, Tag
from trackd_server.domain.errors import InvalidArgument
from trackd_server.service.tracking import TrackingServices
from trackd_server.store.sql.store import SqlStore


def _points(services: TrackingServices, run_id: str, key: str) -> list[float]:
    return [m.value for m in services.metrics.history(run_id, key, 0, "").items]


def _metric_writes(writer: str, sequences: list[int]) -> tuple[list[Metric], BatchWrites]:
    """One metric point per write; point i has value i, so duplicates are visible."""
    metrics = [Metric("m", float(seq), 1000 + seq, seq) for seq in sequences]
    return metrics, BatchWrites(writer, tuple(BatchWrite(seq, 1, 0, 0) for seq in sequences))


def _ranges(store: SqlStore, writer: str) -> list[tuple[int, int]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT first_sequence, last_sequence FROM applied_writes "
                "WHERE writer_id = :w ORDER BY first_sequence"
            ),
            {"w": writer},
        ).all()
    return [(int(a), int(b)) for a, b in rows]


def test_regrouped_writes_are_applied_once(services: TrackingServices, run_id: str) -> None:
    writer = uuid.uuid4().hex
    metrics, writes = _metric_writes(writer, [1, 2, 3])
    services.runs.log_batch(run_id, metrics, [], [], uuid.uuid4().hex, writes=writes)
    # The reply was lost; the client re-sends 2 and 3 with new writes, in a new request.
    metrics, writes = _metric_writes(writer, [2, 3, 4, 5])
    services.runs.log_batch(run_id, metrics, [], [], uuid.uuid4().hex, writes=writes)
    # Then each alone, and without a request id at all.
    for seq in (1, 5):
        metrics, writes = _metric_writes(writer, [seq])
        services.runs.log_batch(run_id, metrics, [], [], writes=writes)
    assert sorted(_points(services, run_id, "m")) == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_skipped_writes_leave_the_others_intact(services: TrackingServices, run_id: str) -> None:
    writer = uuid.uuid4().hex
    first = BatchWrites(writer, (BatchWrite(7, 1, 1, 1),))
    services.runs.log_batch(
        run_id, [Metric("a", 1.0, 5, 0)], [Param("p", "x")], [Tag("t", "old")], writes=first
    )
    services.runs.set_tag(run_id, Tag("t", "new"))
    # Write 7 again (already applied: its stale tag must not come back) with a new write 8
    # that carries two metrics and a param.
    writes = BatchWrites(writer, (BatchWrite(7, 1, 1, 1), BatchWrite(8, 2, 1, 0)))
    services.runs.log_batch(
        run_id,
        [Metric("a", 1.0, 5, 0), Metric("a", 2.0, 6, 1), Metric("b", 3.0, 6, 1)],
        [Param("p", "x"), Param("q", "y")],
        [Tag("t", "old")],
        writes=writes,
    )
    data = services.runs.get(run_id).data
    assert dict(data.params) == {"p": "x", "q": "y"}
    assert dict(data.tags)["t"] == "new"
    assert _points(services, run_id, "a") == [1.0, 2.0]
    assert _points(services, run_id, "b") == [3.0]


def test_a_refused_batch_claims_none_of_its_writes(services: TrackingServices, run_id: str) -> None:
    writer = uuid.uuid4().hex
    services.runs.log_param(run_id, Param("p", "1"))
    writes = BatchWrites(writer, (BatchWrite(1, 1, 0, 0), BatchWrite(2, 0, 1, 0)))
    with pytest.raises(InvalidArgument):
        services.runs.log_batch(
            run_id, [Metric("m", 1.0, 1, 0)], [Param("p", "2")], [], writes=writes
        )
    assert _points(services, run_id, "m") == []
    # Write 1 alone is then applied: the refusal did not mark it as done.
    services.runs.log_batch(
        run_id, [Metric("m", 1.0, 1, 0)], [], [], writes=BatchWrites(writer, writes.writes[:1])
    )
    assert _points(services, run_id, "m") == [1.0]


def test_consecutive_writes_keep_one_range(
    services: TrackingServices, store: SqlStore, run_id: str
) -> None:
    writer = uuid.uuid4().hex
    order = [[1, 2], [3], [6, 7], [4, 5], [8]]  # 4 and 5 arrive late and close the gap
    seen = []
    for group in order:
        metrics, writes = _metric_writes(writer, group)
        services.runs.log_batch(run_id, metrics, [], [], writes=writes)
        seen.append(_ranges(store, writer))
    assert seen[2] == [(1, 3), (6, 7)]
    assert seen[-1] == [(1, 8)]
    assert sorted(_points(services, run_id, "m")) == [float(i) for i in range(1, 9)]


def test_writes_of_other_writers_are_independent(services: TrackingServices, run_id: str) -> None:
    for writer in (uuid.uuid4().hex, uuid.uuid4().hex):
        metrics, writes = _metric_writes(writer, [1])
        services.runs.log_batch(run_id, metrics, [], [], writes=writes)
    assert _points(services, run_id, "m") == [1.0, 1.0]


def test_concurrent_batches_with_the_same_writes(services: TrackingServices, run_id: str) -> None:
    writer = uuid.uuid4().hex
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def send(groups: list[list[int]]) -> None:
        try:
            barrier.wait()
            for group in groups:
                metrics, writes = _metric_writes(writer, group)
                services.runs.log_batch(run_id, metrics, [], [], uuid.uuid4().hex, writes=writes)
        except BaseException as error:
            errors.append(error)

    plans = [
        [list(range(1, 41))],
        [list(range(1, 21)), list(range(21, 41))],
        [[i] for i in range(40, 0, -1)],
        [list(range(10, 30)), list(range(1, 41))],
    ]
    threads = [threading.Thread(target=send, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(_points(services, run_id, "m")) == [float(i) for i in range(1, 41)]


def test_request_id_and_write_ids_together(services: TrackingServices, run_id: str) -> None:
    writer, request_id = uuid.uuid4().hex, uuid.uuid4().hex
    metrics, writes = _metric_writes(writer, [1, 2])
    for _ in range(2):
        services.runs.log_batch(run_id, metrics, [], [], request_id, writes=writes)
    assert _points(services, run_id, "m") == [1.0, 2.0]


@pytest.mark.parametrize(
    ("writes", "field", "words"),
    [
        (BatchWrites("", (BatchWrite(1, 1, 0, 0),)), "writes.writer_id", "1 to 64"),
        (BatchWrites("w" * 65, (BatchWrite(1, 1, 0, 0),)), "writes.writer_id", "1 to 64"),
        (BatchWrites("w", (BatchWrite(1, 2, 0, 0),)), "writes.writes", "add up to 2"),
        (BatchWrites("w", (BatchWrite(1, 0, 0, 0),)), "writes.writes", "add up to 0"),
        (
            BatchWrites("w", (BatchWrite(3, 1, 0, 0), BatchWrite(3, 0, 0, 0))),
            "writes.writes[1].sequence",
            "appears twice",
        ),
        (BatchWrites("w", (BatchWrite(2**63, 1, 0, 0),)), "writes.writes[0].sequence", "at most"),
    ],
)
def test_malformed_write_ids_are_refused(
    services: TrackingServices, run_id: str, writes: BatchWrites, field: str, words: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        services.runs.log_batch(run_id, [Metric("m", 1.0, 1, 0)], [], [], writes=writes)
    assert caught.value.metadata["field"] == field
    assert words in str(caught.value)
    assert _points(services, run_id, "m") == []


def test_expiry_forgets_write_ids(services: TrackingServices, store: SqlStore, run_id: str) -> None:
    writer = uuid.uuid4().hex
    metrics, writes = _metric_writes(writer, [1])
    services.runs.log_batch(run_id, metrics, [], [], writes=writes)
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE applied_writes SET created_at = 0 WHERE writer_id = :w"), {"w": writer}
        )
    assert services.expire_request_ids() >= 1
    assert _ranges(store, writer) == []
