"""SQL persistence of experiments and their tags."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ....domain.entities import Experiment, LifecycleStage, Tag
from ....domain.errors import AlreadyExists
from ....domain.search import SearchSpec
from ..dialect import among, upsert
from ..filters import compile_experiment_filter
from ..keyset import SortKey, after, order_clauses
from ..models import ExperimentRow, ExperimentTagRow, table_of

EXPERIMENTS = table_of(ExperimentRow)
EXPERIMENT_TAGS = table_of(ExperimentTagRow)
E = EXPERIMENTS.c

# Sort keys that search may name; experiment_id always ends the list as the tie-break.
SORTABLE = {
    "name": (E.name, False),
    "experiment_id": (E.experiment_id, False),
    "creation_time": (E.creation_time, False),
    "last_update_time": (E.last_update_time, False),
    "lifecycle_stage": (E.lifecycle_stage, False),
}


def _name_taken(name: str) -> AlreadyExists:
    # A concurrent create or rename won the race for the unique name.
    return AlreadyExists(
        f"an experiment named {name!r} already exists",
        reason="EXPERIMENT_NAME_TAKEN",
        metadata={"name": name},
    )


class SqlExperimentRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def insert(
        self,
        name: str,
        artifact_location: str,
        tags: Sequence[Tag],
        now: int,
        experiment_id: int | None = None,
    ) -> int:
        values: dict[str, Any] = {
            "name": name,
            "artifact_location": artifact_location,
            "lifecycle_stage": LifecycleStage.ACTIVE.value,
            "creation_time": now,
            "last_update_time": now,
        }
        if experiment_id is not None:
            values["experiment_id"] = experiment_id
        try:
            new_id = int(
                self._conn.execute(
                    sa.insert(EXPERIMENTS).values(values).returning(E.experiment_id)
                ).scalar_one()
            )
        except sa.exc.IntegrityError as exc:
            raise _name_taken(name) from exc
        if tags:
            self._conn.execute(
                sa.insert(EXPERIMENT_TAGS),
                [{"experiment_id": new_id, "key": t.key, "value": t.value} for t in tags],
            )
        return new_id

    def set_artifact_location(self, experiment_id: int, location: str) -> None:
        self._conn.execute(
            sa.update(EXPERIMENTS)
            .where(E.experiment_id == experiment_id)
            .values(artifact_location=location)
        )

    def get(self, experiment_id: int) -> Experiment | None:
        row = self._conn.execute(
            sa.select(EXPERIMENTS).where(E.experiment_id == experiment_id)
        ).one_or_none()
        return None if row is None else self._with_tags([row])[0]

    def get_by_name(self, name: str) -> Experiment | None:
        row = self._conn.execute(sa.select(EXPERIMENTS).where(E.name == name)).one_or_none()
        return None if row is None else self._with_tags([row])[0]

    def lock(self, experiment_id: int) -> LifecycleStage | None:
        """Locks the experiment row for update; returns its stage, or None if it is missing."""
        stage = self._conn.execute(
            sa.select(E.lifecycle_stage)
            .where(E.experiment_id == experiment_id)
            .with_for_update(key_share=True)
        ).scalar_one_or_none()
        return None if stage is None else LifecycleStage(stage)

    def location_for_share(self, experiment_id: int) -> tuple[LifecycleStage, str] | None:
        """The experiment's stage and artifact location, locked against concurrent delete until
        the transaction ends (creating a run needs both)."""
        row = self._conn.execute(
            sa.select(E.lifecycle_stage, E.artifact_location)
            .where(E.experiment_id == experiment_id)
            .with_for_update(read=True)
        ).one_or_none()
        return None if row is None else (LifecycleStage(row[0]), row[1])

    def stages(self, experiment_ids: Sequence[int]) -> dict[int, LifecycleStage]:
        """The stage of each listed experiment that exists, in one query (searches check every
        searched experiment before reading its runs)."""
        rows = self._conn.execute(
            sa.select(E.experiment_id, E.lifecycle_stage).where(
                among(self._conn, E.experiment_id, experiment_ids)
            )
        )
        return {experiment_id: LifecycleStage(stage) for experiment_id, stage in rows}

    def name_taken(self, name: str) -> bool:
        return (
            self._conn.execute(sa.select(E.experiment_id).where(E.name == name)).first() is not None
        )

    def update(self, experiment_id: int, now: int, **values: Any) -> None:
        try:
            self._conn.execute(
                sa.update(EXPERIMENTS)
                .where(E.experiment_id == experiment_id)
                .values(last_update_time=now, **values)
            )
        except sa.exc.IntegrityError as exc:
            raise _name_taken(values.get("name", "")) from exc

    def set_tag(self, experiment_id: int, tag: Tag) -> None:
        stmt = upsert(self._conn, EXPERIMENT_TAGS).values(
            experiment_id=experiment_id, key=tag.key, value=tag.value
        )
        self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["experiment_id", "key"], set_={"value": stmt.excluded.value}
            )
        )

    def delete_tag(self, experiment_id: int, key: str) -> bool:
        result = self._conn.execute(
            sa.delete(EXPERIMENT_TAGS).where(
                EXPERIMENT_TAGS.c.experiment_id == experiment_id, EXPERIMENT_TAGS.c.key == key
            )
        )
        return bool(result.rowcount)

    def search(
        self,
        stages: Iterable[LifecycleStage],
        spec: SearchSpec,
        limit: int,
        cursor: Sequence[Any] | None,
    ) -> tuple[list[Experiment], list[Any] | None]:
        """One page of experiments; returns it and the cursor of its last row if more follow."""
        keys = [SortKey(SORTABLE[name][0], descending) for name, descending in spec.order]
        keys.append(SortKey(E.experiment_id, descending=False))
        stmt = sa.select(EXPERIMENTS).where(E.lifecycle_stage.in_([s.value for s in stages]))
        if spec.filter is not None:
            stmt = stmt.where(compile_experiment_filter(spec.filter, self._conn.dialect.name))
        if cursor is not None:
            stmt = stmt.where(after(keys, cursor))
        rows = self._conn.execute(stmt.order_by(*order_clauses(keys)).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more:
            last = rows[-1]._mapping
            next_cursor = [last[k.expr] for k in keys]
        return self._with_tags(rows), next_cursor

    def _with_tags(self, rows: Sequence[sa.Row[Any]]) -> list[Experiment]:
        ids = [row.experiment_id for row in rows]
        tags: dict[int, list[Tag]] = {i: [] for i in ids}
        if ids:
            for tag_row in self._conn.execute(
                sa.select(EXPERIMENT_TAGS)
                .where(EXPERIMENT_TAGS.c.experiment_id.in_(ids))
                .order_by(EXPERIMENT_TAGS.c.key)
            ):
                tags[tag_row.experiment_id].append(Tag(tag_row.key, tag_row.value))
        return [
            Experiment(
                experiment_id=str(row.experiment_id),
                name=row.name,
                artifact_location=row.artifact_location,
                lifecycle_stage=LifecycleStage(row.lifecycle_stage),
                creation_time=row.creation_time,
                last_update_time=row.last_update_time,
                tags=tuple(tags[row.experiment_id]),
            )
            for row in rows
        ]
