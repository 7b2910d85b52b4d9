"""What a downsampled history read sends to the database: a series summarised in sealed blocks
is read in two statements (the blocks, then the raw tail after the last of them), and the run
is looked up only when the series turns out empty."""

from __future__ import annotations

import pytest
from trackd_server.domain.entities import Metric
from trackd_server.domain.errors import NotFound
from trackd_server.service.tracking import TrackingServices
from trackd_server.store.protocol import StepRange
from trackd_server.store.sql.metrics.summaries import BLOCK_POINTS, MAX_TAIL
from trackd_server.store.sql.store import SqlStore

from tests.support.statements import recorded_statements

SEALED_BLOCKS = 40
TAIL = 10  # unsealed points after the last sealed block


def log_points(services: TrackingServices, run_id: str, count: int, first: int = 0) -> None:
    points = [Metric("loss", float((i * 37) % 101), 1_000 + i, i) for i in range(first, count)]
    for start in range(0, len(points), 1000):
        services.runs.log_batch(run_id, points[start : start + 1000], (), ())


def tables_read(statements: list[tuple[str, object]]) -> list[str]:
    return [
        "metric_blocks"
        if "FROM metric_blocks" in sql
        else "metrics"
        if "FROM metrics" in sql
        else "runs"
        if "FROM runs" in sql
        else sql[:60]
        for sql, _ in statements
    ]


@pytest.fixture()
def sealed_run(services: TrackingServices, run_id: str) -> str:
    """A run whose "loss" has SEALED_BLOCKS sealed blocks and TAIL points after them."""
    log_points(services, run_id, MAX_TAIL + 1 + SEALED_BLOCKS * BLOCK_POINTS)
    services.metrics.sampled_history(run_id, "loss", 40, "")  # too long a tail: seals it all
    log_points(
        services,
        run_id,
        MAX_TAIL + 1 + SEALED_BLOCKS * BLOCK_POINTS + TAIL,
        first=MAX_TAIL + 1 + SEALED_BLOCKS * BLOCK_POINTS,
    )
    return run_id


def test_whole_series_is_read_in_two_statements(
    services: TrackingServices, store: SqlStore, sealed_run: str
) -> None:
    with recorded_statements(store.engine) as statements:
        series = services.metrics.sampled_history(sealed_run, "loss", 40, "")
    assert tables_read(statements) == ["metric_blocks", "metrics"]
    assert series.total == MAX_TAIL + 1 + SEALED_BLOCKS * BLOCK_POINTS + TAIL
    assert 0 < len(series.points) <= 40
    # The tail is read from just after the last sealed block: its last point is the series'.
    assert series.points[-1].step == series.total - 1


def test_a_step_range_looks_up_where_the_sealed_blocks_end(
    services: TrackingServices, store: SqlStore, sealed_run: str
) -> None:
    # A range ending inside the sealed blocks, on a block edge: no partial block to read raw,
    # and no tail, since every unsealed point lies after the range.
    end = 30 * BLOCK_POINTS - 1
    with recorded_statements(store.engine) as statements:
        series = services.metrics.sampled_history(sealed_run, "loss", 40, "", StepRange(None, end))
    assert tables_read(statements) == ["metric_blocks", "metric_blocks"]
    assert series.total == end + 1 and series.points[-1].step == end


def test_an_empty_series_tells_a_missing_run_from_an_unlogged_key(
    services: TrackingServices, store: SqlStore, run_id: str
) -> None:
    with recorded_statements(store.engine) as statements:
        series = services.metrics.sampled_history(run_id, "never-logged", 40, "")
    assert (series.points, series.total) == ([], 0)
    assert tables_read(statements)[-1] == "runs"
    with pytest.raises(NotFound, match="0" * 32):
        services.metrics.sampled_history("0" * 32, "loss", 40, "")


def test_a_deleted_run_keeps_its_history(services: TrackingServices, sealed_run: str) -> None:
    services.runs.delete(sealed_run)
    assert services.metrics.sampled_history(sealed_run, "loss", 40, "").total > 0
    services.runs.restore(sealed_run)
