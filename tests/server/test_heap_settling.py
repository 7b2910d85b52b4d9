"""The server hides its start-up heap from the garbage collector (runtime.settle_heap)."""

from __future__ import annotations

import gc

from trackd_server.runtime import GC_THRESHOLDS, settle_heap


def test_settle_heap_freezes_startup_objects_and_raises_thresholds() -> None:
    before = gc.get_threshold()
    try:
        settle_heap()
        # The test process's imports (trackd_server, SQLAlchemy, protobuf) are frozen.
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
