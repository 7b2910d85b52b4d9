"""SQL persistence of metric points within a transaction: appends and history pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ....domain.entities import Metric
from ...protocol import HistoryColumns, HistoryPage
from .append import append_points
from .history import column_page, row_page


class SqlMetricRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def append(self, run_id: str, experiment_id: int, metrics: Sequence[Metric]) -> None:
        append_points(self._conn, run_id, experiment_id, metrics)

    def history(self, page: HistoryPage) -> tuple[list[Metric], list[Any] | None]:
        return row_page(self._conn, page)

    def history_columns(self, page: HistoryPage) -> tuple[HistoryColumns, list[Any] | None]:
        return column_page(self._conn, page)
