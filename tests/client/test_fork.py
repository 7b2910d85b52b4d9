"""A client (and the fluent API) used after fork(): each child opens its own channel."""

from __future__ import annotations

import multiprocessing

import trackd
from trackd import RunStatus

WORKERS = 4
POINTS = 25

# Set by the test before forking; the children inherit them.
_inherited: trackd.TrackingClient | None = None
_parent_stubs: object = None


def _log_with_inherited_client(run_id: str, worker: int) -> None:
    assert _inherited is not None
    for i in range(POINTS):
        _inherited.log_metric(run_id, "shared", float(worker), step=worker * 1000 + i)
    # The child talked over a channel of its own, not the one inherited from the parent.
    assert _inherited._transport.stubs() is not _parent_stubs


def _log_with_fluent_api(worker: int) -> None:
    for i in range(POINTS):
        trackd.log_metric("fluent", float(worker), step=worker * 1000 + i)


def _run_workers(target: object, args: list[tuple[object, ...]]) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=target, args=a) for a in args]  # type: ignore[arg-type]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * len(procs)


def _expected_steps() -> set[int]:
    return {w * 1000 + i for w in range(WORKERS) for i in range(POINTS)}


def test_forked_workers_share_a_client(tracking_uri: str, run_id: str) -> None:
    global _inherited, _parent_stubs
    _inherited = trackd.TrackingClient(tracking_uri)
    _inherited.log_metric(run_id, "shared", -1.0, step=-1)  # the parent's channel is live
    _parent_stubs = _inherited._transport.stubs()

    _run_workers(_log_with_inherited_client, [(run_id, w) for w in range(WORKERS)])

    history = _inherited.get_metric_history(run_id, "shared")
    assert len(history) == WORKERS * POINTS + 1
    assert {m.step for m in history} == _expected_steps() | {-1}
    for m in history[1:]:
        assert m.value == m.step // 1000
    # The parent's own channel is untouched and still works after its children used theirs.
    assert _inherited._transport.stubs() is _parent_stubs
    _inherited.log_metric(run_id, "shared", 9.0, step=10_000)
    assert len(_inherited.get_metric_history(run_id, "shared")) == WORKERS * POINTS + 2


def test_forked_workers_log_to_the_active_run(fluent_api: str) -> None:
    with trackd.start_run() as run:
        trackd.log_param("workers", WORKERS)
        _run_workers(_log_with_fluent_api, [(w,) for w in range(WORKERS)])
        assert trackd.get_run(run.info.run_id).info.status == RunStatus.RUNNING
    history = trackd.TrackingClient().get_metric_history(run.info.run_id, "fluent")
    assert {m.step for m in history} == _expected_steps()
    assert len(history) == WORKERS * POINTS
    assert trackd.get_run(run.info.run_id).info.status == RunStatus.FINISHED
