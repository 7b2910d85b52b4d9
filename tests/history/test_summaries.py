"""Downsampling through the block summaries (metric_blocks): answers equal a brute-force
reference of the documented rule, and the summaries stay exact while points arrive out of
order, from concurrent writers, during reads."""

from __future__ import annotations

import math
import random
import threading
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import grpc
import pytest
import sqlalchemy as sa
from trackd.v1 import metric_service_pb2 as pb
from trackd.v1 import metric_service_pb2_grpc, run_pb2, run_service_pb2, run_service_pb2_grpc
from trackd_server.store.sql.metrics.summaries import BLOCK_POINTS, MAX_TAIL
from trackd_server.store.sql.store import SqlStore

from tests.history.conftest import (
    Point,
    Stubs,
    as_tuples,
    expected_downsample,
    log_series,
    point_tuples,
)


@pytest.fixture()
def db(backend_url: str) -> Iterator[sa.Engine]:
    """The session server's database, read directly to check the summaries themselves."""
    store = SqlStore(backend_url)
    yield store.engine
    store.dispose()


def sampled(stubs: Stubs, run_id: str, key: str, max_points: int, **kw: Any) -> Any:
    return stubs.metrics.GetMetricHistory(
        pb.GetMetricHistoryRequest(run_id=run_id, metric_key=key, max_points=max_points, **kw)
    )


def blocks(db: sa.Engine, run_id: str, key: str) -> list[Any]:
    with db.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT * FROM metric_blocks WHERE run_id = :r AND key = :k ORDER BY block"
                ),
                {"r": run_id, "k": key},
            )
        )


def assert_blocks_exact(db: sa.Engine, run_id: str, key: str) -> int:
    """Checks every stored block against the stored points, computed here from scratch, and
    the writers' mark against the last block; returns the number of blocks."""
    with db.connect() as conn:
        points = list(
            conn.execute(
                sa.text(
                    'SELECT id, step, "timestamp", value, is_nan FROM metrics '
                    'WHERE run_id = :r AND key = :k ORDER BY step, "timestamp", id'
                ),
                {"r": run_id, "k": key},
            )
        )
        mark = conn.execute(
            sa.text(
                "SELECT sealed_step, sealed_timestamp FROM latest_metrics "
                "WHERE run_id = :r AND key = :k"
            ),
            {"r": run_id, "k": key},
        ).one()
    stored = blocks(db, run_id, key)
    assert [b.block for b in stored] == list(range(len(stored)))
    for b in stored:
        members = points[b.block * BLOCK_POINTS : (b.block + 1) * BLOCK_POINTS]
        assert len(members) == BLOCK_POINTS
        first, last = members[0], members[-1]
        assert (b.first_id, b.first_step, b.first_timestamp) == (
            first.id,
            first.step,
            first.timestamp,
        )
        assert (b.last_id, b.last_step, b.last_timestamp) == (last.id, last.step, last.timestamp)
        assert b.first_value == (None if first.is_nan else first.value)
        assert b.last_value == (None if last.is_nan else last.value)
        numbers = [p for p in members if not p.is_nan]
        low = min(numbers, key=lambda p: (p.value, p.id)) if numbers else None
        high = min(numbers, key=lambda p: (-p.value, p.id)) if numbers else None
        assert b.min_id == (low and low.id) and b.max_id == (high and high.id)
        if low is not None and high is not None:
            assert (b.min_step, b.min_timestamp, b.min_value) == (
                low.step,
                low.timestamp,
                low.value,
            )
            assert (b.max_step, b.max_timestamp, b.max_value) == (
                high.step,
                high.timestamp,
                high.value,
            )
    expected_mark = (stored[-1].last_step, stored[-1].last_timestamp) if stored else (None, None)
    assert tuple(mark) == expected_mark
    return len(stored)


def noisy(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    values = [math.sin(i / 40) + rng.random() for i in range(n)]
    for i in range(0, n, 97):
        values[i] = math.nan
    values[n // 3 : n // 3 + 200] = [math.nan] * 200  # whole blocks of NaN
    values[n // 2], values[n // 2 + 1] = math.inf, -math.inf
    return values


def check(
    stubs: Stubs, run_id: str, key: str, logged: Sequence[Point], max_points: int, **kw: Any
) -> Any:
    reply = sampled(stubs, run_id, key, max_points, **kw)
    expected = expected_downsample(logged, max_points, kw.get("start_step"), kw.get("end_step"))
    assert as_tuples(reply.metrics) == point_tuples(expected)
    assert len(reply.metrics) <= max_points
    return reply


def test_first_read_seals_and_answers_like_the_reference(
    stubs: Stubs, db: sa.Engine, run_id: str
) -> None:
    logged = log_series(stubs, run_id, "loss", noisy(5000, 1))
    assert blocks(db, run_id, "loss") == []

    reply = check(stubs, run_id, "loss", logged, 100)

    assert reply.total_points == 5000 and reply.downsampled
    assert assert_blocks_exact(db, run_id, "loss") == 5000 // BLOCK_POINTS
    check(stubs, run_id, "loss", logged, 100)  # the same answer from the sealed blocks
    for max_points in (4, 8, 60, 312, 1000):
        check(stubs, run_id, "loss", logged, max_points)


def test_ties_across_blocks_go_to_the_point_logged_first(
    stubs: Stubs, db: sa.Engine, run_id: str
) -> None:
    # Three values repeat in every block, so each bucket's minimum and maximum tie across its
    # blocks; whole NaN blocks sit between them. (0.0 against -0.0 would tie too, but SQLite
    # reads -0.0 back as 0.0.)
    values = [(0.0, 1.0, 1.0, 2.0)[i % 4] if i % 7 else 2.0 for i in range(64 * 60 + 20)]
    values[64 * 10 : 64 * 12] = [math.nan] * 128
    logged = log_series(stubs, run_id, "tie", values)
    sampled(stubs, run_id, "tie", 100)  # seals
    assert assert_blocks_exact(db, run_id, "tie") == 60

    for max_points in (8, 40, 100, 236):
        check(stubs, run_id, "tie", logged, max_points)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (0, 4999),
        (1, 4998),
        (100, 3000),
        (130, 130 + 64 * 20),
        (4990, None),
        (None, 70),
        (600, 4950),
    ],
)
def test_step_ranges_cut_blocks_at_their_edges(
    stubs: Stubs, run_id: str, start: int | None, end: int | None
) -> None:
    logged = log_series(stubs, run_id, "r", noisy(5000, 2))
    sampled(stubs, run_id, "r", 100)  # seals

    check(stubs, run_id, "r", logged, 40, start_step=start, end_step=end)
    check(stubs, run_id, "r", logged, 12, start_step=start, end_step=end)


def test_short_unsealed_tail_gives_the_same_answer_as_sealed_blocks(
    stubs: Stubs, db: sa.Engine, run_id: str
) -> None:
    # Fewer points than MAX_TAIL: answered from raw points, nothing sealed.
    logged = log_series(stubs, run_id, "t", noisy(MAX_TAIL - 24, 3))

    check(stubs, run_id, "t", logged, 40)
    assert blocks(db, run_id, "t") == []
    # Past MAX_TAIL the next read seals; the answer follows the same rule.
    more = [Point(5000 + i, 1_900_000_000_000 + i, float(-i), len(logged) + i) for i in range(100)]
    _log_points(stubs, run_id, "t", more)
    check(stubs, run_id, "t", logged + more, 40)
    assert assert_blocks_exact(db, run_id, "t") == (len(logged) + 100) // BLOCK_POINTS


def test_appends_keep_the_blocks(stubs: Stubs, db: sa.Engine, run_id: str) -> None:
    logged = log_series(stubs, run_id, "a", noisy(3000, 5))
    sampled(stubs, run_id, "a", 100)
    sealed = assert_blocks_exact(db, run_id, "a")

    more = [Point(3000 + i, 1_800_000_000_000 + i, float(i % 11), 3000 + i) for i in range(500)]
    _log_points(stubs, run_id, "a", more)

    assert assert_blocks_exact(db, run_id, "a") == sealed  # untouched by appends
    check(stubs, run_id, "a", logged + more, 100)


def test_a_point_inside_sealed_blocks_invalidates_from_there(
    stubs: Stubs, db: sa.Engine, run_id: str
) -> None:
    values = noisy(4000, 6)
    logged = log_series(stubs, run_id, "o", values, [2 * i for i in range(4000)])
    sampled(stubs, run_id, "o", 100)
    sealed = assert_blocks_exact(db, run_id, "o")

    # Step 2001 lies between the points at positions 1000 and 1001 (block 15).
    inside = Point(2001, 1, -5.0, 4000)
    _log_points(stubs, run_id, "o", [inside])
    logged = [*logged, inside]

    assert assert_blocks_exact(db, run_id, "o") == 1000 // BLOCK_POINTS
    check(stubs, run_id, "o", logged, 100)  # reseals
    assert assert_blocks_exact(db, run_id, "o") == sealed
    assert (2001, 1, "-5.0") in as_tuples(sampled(stubs, run_id, "o", 100).metrics)


def test_points_before_everything_and_at_the_mark_invalidate(
    stubs: Stubs, db: sa.Engine, run_id: str
) -> None:
    logged = log_series(stubs, run_id, "b", noisy(2000, 7))
    sampled(stubs, run_id, "b", 100)
    last = blocks(db, run_id, "b")[-1]

    # Same step and timestamp as the last sealed point, logged later: it sorts after it, but
    # writers only compare (step, timestamp), so the last block goes (and comes back).
    at_mark = Point(last.last_step, last.last_timestamp, 9.0, 2000)
    _log_points(stubs, run_id, "b", [at_mark])
    assert assert_blocks_exact(db, run_id, "b") == last.block
    check(stubs, run_id, "b", [*logged, at_mark], 100)

    first = Point(-1, 1, 0.5, 2001)
    _log_points(stubs, run_id, "b", [first])
    assert assert_blocks_exact(db, run_id, "b") == 0
    check(stubs, run_id, "b", [*logged, at_mark, first], 100)
    assert assert_blocks_exact(db, run_id, "b") == 2002 // BLOCK_POINTS


def test_an_old_batch_invalidates_although_its_latest_point_is_old(
    stubs: Stubs, db: sa.Engine, run_id: str
) -> None:
    # The batch's latest point is older than the stored latest: the latest_metrics upsert does
    # not touch the row, so the writer gets no mark back and must invalidate anyway.
    logged = log_series(stubs, run_id, "c", noisy(2000, 8))
    sampled(stubs, run_id, "c", 100)
    old = [Point(5, 7, 100.0, 2000), Point(700, 9, -100.0, 2001)]
    _log_points(stubs, run_id, "c", old)

    assert assert_blocks_exact(db, run_id, "c") == 0
    check(stubs, run_id, "c", logged + old, 100)


def _log_points(stubs: Stubs, run_id: str, key: str, points: Sequence[Point]) -> None:
    stubs.runs.LogBatch(
        run_service_pb2.LogBatchRequest(
            run_id=run_id,
            metrics=[
                run_pb2.Metric(key=key, value=p.value, timestamp=p.timestamp, step=p.step)
                for p in points
            ],
            request_id=uuid.uuid4().hex,
        )
    )


def test_concurrent_writers_and_readers_keep_summaries_exact(
    tracking_uri: str, stubs: Stubs, db: sa.Engine, run_id: str
) -> None:
    # Three writers log interleaved steps out of order (distinct steps, so the order of
    # logging never decides), while two readers keep asking for the downsampled series, which
    # seals blocks whenever the tail grows past MAX_TAIL.
    rng = random.Random(9)
    steps = list(range(9000))
    rng.shuffle(steps)
    parts = [sorted(steps[i::3]) for i in range(3)]
    for part in parts[:2]:  # two writers mostly append, with some jumps back
        for i in range(0, len(part) - 40, 200):
            part[i : i + 40] = reversed(part[i : i + 40])
    rng.shuffle(parts[2])  # the third writes anywhere
    values = {s: rng.uniform(-1, 1) for s in steps}
    errors: list[BaseException] = []
    done = threading.Event()
    target = tracking_uri.removeprefix("grpc://")

    def writer(part: list[int]) -> None:
        with grpc.insecure_channel(target) as channel:
            runs = run_service_pb2_grpc.RunServiceStub(channel)
            for i in range(0, len(part), 50):
                runs.LogBatch(
                    run_service_pb2.LogBatchRequest(
                        run_id=run_id,
                        metrics=[
                            run_pb2.Metric(key="c", value=values[s], timestamp=10 + s, step=s)
                            for s in part[i : i + 50]
                        ],
                        request_id=uuid.uuid4().hex,
                    )
                )

    def reader() -> None:
        with grpc.insecure_channel(target) as channel:
            metrics = metric_service_pb2_grpc.MetricServiceStub(channel)
            while not done.is_set():
                reply = metrics.GetMetricHistory(
                    pb.GetMetricHistoryRequest(run_id=run_id, metric_key="c", max_points=40)
                )
                assert len(reply.metrics) <= 40
                steps_seen = [m.step for m in reply.metrics]
                assert steps_seen == sorted(steps_seen)
                assert all(m.value == values[m.step] for m in reply.metrics)

    def guarded(fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=guarded, args=(writer, p)) for p in parts]
    readers = [threading.Thread(target=guarded, args=(reader,)) for _ in range(2)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    for t in readers:
        t.join()

    assert errors == []
    logged = [Point(s, 10 + s, values[s], s) for s in steps]
    check(stubs, run_id, "c", logged, 40)
    assert assert_blocks_exact(db, run_id, "c") <= 9000 // BLOCK_POINTS
    check(stubs, run_id, "c", logged, 400, start_step=1234, end_step=7777)


def test_bulk_reads_through_summaries(
    stubs: Stubs, db: sa.Engine, client: Any, experiment_id: str
) -> None:
    runs = [client.create_run(experiment_id).info.run_id for _ in range(3)]
    logged = {
        run: log_series(stubs, run, "m", noisy(2500 + 300 * n, 10 + n))
        for n, run in enumerate(runs)
    }
    sampled(stubs, runs[0], "m", 100)  # one sealed, two not yet

    reply = stubs.metrics.GetMetricHistoryBulk(
        pb.GetMetricHistoryBulkRequest(run_ids=runs, metric_keys=["m"], max_points=80)
    )

    for series in reply.series:
        points = logged[series.run_id]
        assert as_tuples(series.points) == point_tuples(expected_downsample(points, 80))
        assert series.total_points == len(points) and series.downsampled
        assert assert_blocks_exact(db, series.run_id, "m") == len(points) // BLOCK_POINTS
