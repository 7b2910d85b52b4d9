"""SQL persistence of runs, their tags and their params."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ....domain.entities import LifecycleStage, Param, Run, RunInfo, RunStatus, Tag
from ...protocol import RunReadMask
from ..dialect import upsert
from ..models import ParamRow, RunRow, RunTagRow, table_of
from .data import attach_data

RUNS = table_of(RunRow)
RUN_TAGS = table_of(RunTagRow)
PARAMS = table_of(ParamRow)
R = RUNS.c


# Stored strings to enum members; a dict lookup is ten times cheaper than calling the enum,
# which counts when a search page builds hundreds of RunInfos.
_STATUS_OF = {s.value: s for s in RunStatus}
_STAGE_OF = {s.value: s for s in LifecycleStage}


def run_info_from_row(row: Any) -> RunInfo:
    return RunInfo(
        run_id=row.run_id,
        run_name=row.name,
        experiment_id=str(row.experiment_id),
        user_id=row.user_id,
        status=_STATUS_OF[row.status],
        start_time=row.start_time,
        end_time=row.end_time,
        artifact_uri=row.artifact_uri,
        lifecycle_stage=_STAGE_OF[row.lifecycle_stage],
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
        """Attaches tags, params and latest metrics to runs in one statement for the whole page
        (runs/data.py); a read mask narrows or skips its parts."""
        return attach_data(self._conn, infos, mask)

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
