"""EXPLAIN ANALYZE of the SQL that trackd's store runs for the benchmark's main reads.

The statements are captured, with their parameters, from a small in-process call of trackd's
own service layer (the code the servicers call) through SQLAlchemy's engine events, then
replayed under EXPLAIN (ANALYZE, BUFFERS) in a read-only transaction, with any SET LOCAL the
store issued before them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from dataset import PAGE_SIZE, SEARCH_EXPERIMENT, SEARCH_FILTER, SEARCH_ORDER, SEARCH_RESULTS
from sqlalchemy import event
from trackd_server.domain.entities import ViewType
from trackd_server.service.tracking import build_services
from trackd_server.store.sql.engine import POSTGRES_SESSION_OPTIONS
from trackd_server.store.sql.store import SqlStore

Captured = list[tuple[str, Any]]


def _capture(store: SqlStore, work: Callable[[], object]) -> Captured:
    captured: Captured = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return captured


def _explain(db_url: str, statements: Captured) -> list[dict[str, str]]:
    plans = []
    # The server's own session settings, so the plans are the ones it gets.
    with psycopg.connect(db_url, options=POSTGRES_SESSION_OPTIONS) as conn:
        settings: list[tuple[str, Any]] = []
        for statement, parameters in statements:
            text = statement.strip()
            if text.upper().startswith("SET "):
                settings.append((text, parameters))
                continue
            if not text.upper().startswith(("SELECT", "WITH")):
                continue
            with conn.transaction(force_rollback=True):
                conn.execute("SET TRANSACTION READ ONLY")
                for setting, setting_parameters in settings:
                    conn.execute(setting, setting_parameters or None)
                rows = conn.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) " + text, parameters or None
                ).fetchall()
            plans.append({"sql": text, "plan": "\n".join(str(r[0]) for r in rows)})
    return plans


def explain_trackd(
    db_url: str, artifact_root: str, series_run_id: str, series_key: str
) -> dict[str, list[dict[str, str]]]:
    """Plans of: the filtered, ordered search (one statement for the page with its tags, params
    and metrics, and the check of the searched experiment), one page of default-order
    paging, the first page of the long series' history, and its history downsampled to 1000
    points."""
    store = SqlStore(db_url, pool_size=1, max_overflow=0)
    try:
        services = build_services(store, artifact_root)
        experiment_id = services.experiments.get_by_name(SEARCH_EXPERIMENT).experiment_id

        def search() -> object:
            return services.runs.search(
                [experiment_id],
                SEARCH_FILTER,
                ViewType.ACTIVE_ONLY,
                list(SEARCH_ORDER),
                SEARCH_RESULTS,
                "",
            )

        def page() -> object:
            return services.runs.search(
                [experiment_id], "", ViewType.ACTIVE_ONLY, [], PAGE_SIZE, ""
            )

        def history() -> object:
            return services.metrics.history(series_run_id, series_key, 25_000, "")

        def sampled() -> object:
            return services.metrics.sampled_history(series_run_id, series_key, 1000, "")

        calls = {
            "search": search,
            "paging": page,
            "history_page": history,
            "history_sampled": sampled,
        }
        return {name: _explain(db_url, _capture(store, call)) for name, call in calls.items()}
    finally:
        store.dispose()
