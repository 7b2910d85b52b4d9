"""SQL persistence of runs, their tags and their params."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ...domain.entities import LifecycleStage, Param, Run, RunData, RunInfo, RunStatus, Tag
from ..protocol import ALL_KEYS, KeySelection, RunReadMask
from .dialect import among, upsert
from .metrics import SqlMetricRepository
from .models import ParamRow, RunRow, RunTagRow, table_of

RUNS = table_of(RunRow)
RUN_TAGS = table_of(RunTagRow)
PARAMS = table_of(ParamRow)
R = RUNS.c


def run_info_from_row(row: Any) -> RunInfo:
    return RunInfo(
        run_id=row.run_id,
        run_name=row.name,
        experiment_id=str(row.experiment_id),
        user_id=row.user_id,
        status=RunStatus(row.status),
        start_time=row.start_time,
        end_time=row.end_time,
        artifact_uri=row.artifact_uri,
        lifecycle_stage=LifecycleStage(row.lifecycle_stage),
    )


class SqlRunRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def insert(self, info: RunInfo, tags: Sequence[Tag]) -> None:
        self._conn.execute(
            sa.insert(RUNS).values(
                run_id=info.run_id,
                experiment_id=int(info.experiment_id),
                name=info.run_name,
                user_id=info.user_id,
                status=info.status.value,
                start_time=info.start_time,
                end_time=info.end_time,
                artifact_uri=info.artifact_uri,
                lifecycle_stage=info.lifecycle_stage.value,
            )
        )
        self.set_tags(info.run_id, tags)

    def lock(self, run_id: str, exclusive: bool) -> RunInfo | None:
        """Reads and locks a run for the rest of the transaction.

        Writers that only add to a run share the lock (many may log at once); writers that
        change the run row itself take it exclusively, from the start, so that no two
        transactions ever need to upgrade a shared lock (the classic deadlock).
        """
        stmt = sa.select(RUNS).where(R.run_id == run_id)
        # FOR SHARE lets appenders run together; FOR NO KEY UPDATE excludes them but still
        # lets foreign-key checks of other inserts through.
        if exclusive:
            stmt = stmt.with_for_update(key_share=True)
        else:
            stmt = stmt.with_for_update(read=True)
        row = self._conn.execute(stmt).one_or_none()
        return None if row is None else run_info_from_row(row)

    def get_info(self, run_id: str) -> RunInfo | None:
        row = self._conn.execute(sa.select(RUNS).where(R.run_id == run_id)).one_or_none()
        return None if row is None else run_info_from_row(row)

    def get(self, run_id: str) -> Run | None:
        info = self.get_info(run_id)
        if info is None:
            return None
        return self.with_data([info])[0]

    def with_data(self, infos: Sequence[RunInfo], mask: RunReadMask | None = None) -> list[Run]:
        """Attaches tags, params and latest metrics to runs, in up to three queries for the
        whole page. A read mask narrows the queries themselves (WHERE key IN ...) and skips
        those that select nothing."""
        mask = mask or RunReadMask()
        ids = [info.run_id for info in infos]
        tags = self._key_values(RUN_TAGS, ids, Tag, mask.tags)
        params = self._key_values(PARAMS, ids, Param, mask.params)
        metrics = SqlMetricRepository(self._conn).latest_for_runs(ids, mask.metrics.keys)
        return [
            Run(
                info=info,
                data=RunData(
                    metrics=tuple(metrics.get(info.run_id, ())),
                    params=tuple(params.get(info.run_id, ())),
                    tags=tuple(tags.get(info.run_id, ())),
                ),
            )
            for info in infos
        ]

    def update(self, run_id: str, **values: Any) -> None:
        if values:
            self._conn.execute(sa.update(RUNS).where(R.run_id == run_id).values(**values))

    def set_tags(self, run_id: str, tags: Sequence[Tag]) -> None:
        """Upserts tags; for a key given twice the last value wins. Keys go in sorted order
        so that concurrent writers lock rows in the same order."""
        last: dict[str, str] = {}
        for tag in tags:
            last[tag.key] = tag.value
        if not last:
            return
        stmt = upsert(self._conn, RUN_TAGS)
        stmt = stmt.on_conflict_do_update(
            index_elements=["run_id", "key"], set_={"value": stmt.excluded.value}
        )
        self._conn.execute(
            stmt, [{"run_id": run_id, "key": k, "value": last[k]} for k in sorted(last)]
        )

    def delete_tag(self, run_id: str, key: str) -> bool:
        result = self._conn.execute(
            sa.delete(RUN_TAGS).where(RUN_TAGS.c.run_id == run_id, RUN_TAGS.c.key == key)
        )
        return bool(result.rowcount)

    def insert_params(self, run_id: str, params: Sequence[Param]) -> list[tuple[Param, str]]:
        """Inserts params that are new; returns (param, stored value) for each key that already
        had a different value. Nothing is overwritten."""
        if not params:
            return []
        ordered = sorted(params, key=lambda p: p.key)
        stmt = upsert(self._conn, PARAMS).on_conflict_do_nothing(index_elements=["run_id", "key"])
        self._conn.execute(
            stmt, [{"run_id": run_id, "key": p.key, "value": p.value} for p in ordered]
        )
        rows = self._conn.execute(
            sa.select(PARAMS.c.key, PARAMS.c.value).where(
                PARAMS.c.run_id == run_id, PARAMS.c.key.in_([p.key for p in ordered])
            )
        )
        stored = {key: value for key, value in rows}
        return [(p, stored[p.key]) for p in ordered if stored.get(p.key) != p.value]

    def _key_values(
        self,
        table: sa.Table,
        run_ids: Sequence[str],
        kind: Any,
        selection: KeySelection = ALL_KEYS,
    ) -> dict[str, list[Any]]:
        grouped: dict[str, list[Any]] = {}
        if not run_ids or selection.keys == frozenset():
            return grouped
        stmt = sa.select(table.c.run_id, table.c.key, table.c.value).where(
            among(self._conn, table.c.run_id, run_ids)
        )
        if selection.keys is not None:
            stmt = stmt.where(among(self._conn, table.c.key, sorted(selection.keys)))
        rows = self._conn.execute(stmt.order_by(table.c.run_id, table.c.key)).all()
        for run_id, key, value in rows:
            grouped.setdefault(run_id, []).append(kind(key, value))
        return grouped
