"""A page of runs gets its tags, params and latest metrics without a query per run.

On PostgreSQL the search statement itself carries them (`json_data_column`): each page row
gets one JSON document built by correlated subqueries on the (run_id, key) primary keys, so a
page is one statement and one round trip, and the driver decodes each document in one call.

Elsewhere (SQLite, and runs read by id) `attach_data` reads the three tables as one UNION ALL
of a common row shape, ordered so each run's entries arrive together and sorted by key. Rows
are read as the driver's tuples: SQLAlchemy's Row objects cost more than the query.

Either way a read mask narrows each part (key IN ...) or drops it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import starmap
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ....domain.entities import Metric, Param, Run, RunData, RunInfo, Tag
from ...protocol import KeySelection, RunReadMask
from ..dialect import among
from ..models import LatestMetricRow, ParamRow, RunTagRow, table_of
from ..rows import driver_rows

RUN_TAGS = table_of(RunTagRow)
PARAMS = table_of(ParamRow)
LATEST = table_of(LatestMetricRow)

# The kind column of the union; also the order in which kinds are read.
_TAG, _PARAM, _METRIC = 0, 1, 2
_BY_KIND_RUN_KEY: tuple[sa.ColumnElement[Any], ...] = (
    sa.literal_column("1"),
    sa.literal_column("2"),
    sa.literal_column("3"),
)


def attach_data(
    conn: sa.Connection, infos: Sequence[RunInfo], mask: RunReadMask | None = None
) -> list[Run]:
    """The runs of `infos`, in order, with the data `mask` selects (None: everything)."""
    mask = mask or RunReadMask()
    ids = [info.run_id for info in infos]
    parts = [
        part
        for part in (
            _key_value_part(conn, RUN_TAGS, _TAG, ids, mask.tags),
            _key_value_part(conn, PARAMS, _PARAM, ids, mask.params),
            _metric_part(conn, ids, mask.metrics),
        )
        if part is not None
    ]
    grouped: dict[str, tuple[list[Tag], list[Param], list[Metric]]] = {}
    if ids and parts:
        statement = parts[0] if len(parts) == 1 else sa.union_all(*parts)
        rows = driver_rows(conn.execute(statement.order_by(*_BY_KIND_RUN_KEY)))
        nan = math.nan
        for kind, run_id, key, text, number, is_nan, step, timestamp in rows:
            entry = grouped.get(run_id)
            if entry is None:
                entry = grouped[run_id] = ([], [], [])
            if kind == _TAG:
                entry[0].append(Tag(key, text))
            elif kind == _PARAM:
                entry[1].append(Param(key, text))
            else:
                entry[2].append(Metric(key, nan if is_nan else float(number), timestamp, step))
    empty: tuple[list[Tag], list[Param], list[Metric]] = ([], [], [])
    runs = []
    for info in infos:
        tags, params, metrics = grouped.get(info.run_id, empty)
        data = RunData(metrics=tuple(metrics), params=tuple(params), tags=tuple(tags))
        runs.append(Run(info=info, data=data))
    return runs


def _key_value_part(
    conn: sa.Connection, table: sa.Table, kind: int, ids: Sequence[str], keys: KeySelection
) -> sa.Select[Any] | None:
    if keys.keys == frozenset():
        return None
    part = sa.select(
        sa.literal(kind, sa.Integer).label("kind"),
        table.c.run_id,
        table.c.key,
        table.c.value.label("text"),
        sa.null().cast(LATEST.c.value.type).label("number"),
        sa.null().cast(LATEST.c.is_nan.type).label("is_nan"),
        sa.null().cast(LATEST.c.step.type).label("step"),
        sa.null().cast(LATEST.c.timestamp.type).label("timestamp"),
    ).where(among(conn, table.c.run_id, ids))
    if keys.keys is not None:
        part = part.where(among(conn, table.c.key, sorted(keys.keys)))
    return part


def _metric_part(
    conn: sa.Connection, ids: Sequence[str], keys: KeySelection
) -> sa.Select[Any] | None:
    if keys.keys == frozenset():
        return None
    part = sa.select(
        sa.literal(_METRIC, sa.Integer).label("kind"),
        LATEST.c.run_id,
        LATEST.c.key,
        sa.null().cast(PARAMS.c.value.type).label("text"),
        LATEST.c.value.label("number"),
        LATEST.c.is_nan,
        LATEST.c.step,
        LATEST.c.timestamp,
    ).where(among(conn, LATEST.c.run_id, ids))
    if keys.keys is not None:
        part = part.where(among(conn, LATEST.c.key, sorted(keys.keys)))
    return part


# The label of the JSON column a PostgreSQL page row carries.
JSON_DATA_LABEL = "run_data_json"


def json_data_column(
    run_id: sa.ColumnElement[Any], mask: RunReadMask | None = None
) -> sa.ColumnElement[Any]:
    """PostgreSQL only: the tags, params and latest metrics of the run `run_id` (a column of
    the page) as one JSON array of three arrays sorted by key: [key, value] pairs for tags and
    params, [key, value, timestamp, step] for metrics (the field order of Tag, Param and
    Metric); null for a part the run has no entries in or the mask drops. One document per
    run: the driver decodes each in one call.

    A metric value travels as float8's text (shortest exact form, "-0", "Infinity", "NaN" for
    a point stored as is_nan), which float() reads back bit for bit."""
    mask = mask or RunReadMask()
    m = LATEST.c
    parts = (
        (RUN_TAGS, (RUN_TAGS.c.key, RUN_TAGS.c.value), mask.tags),
        (PARAMS, (PARAMS.c.key, PARAMS.c.value), mask.params),
        # As text: a JSON number would turn -0.0 into the integer 0.
        (LATEST, (m.key, _value_text(m), m.timestamp, m.step), mask.metrics),
    )
    arrays: list[sa.ColumnElement[Any]] = []
    for table, fields, keys in parts:
        if keys.keys == frozenset():
            arrays.append(sa.null())
            continue
        entries = sa.func.json_agg(
            postgresql.aggregate_order_by(sa.func.json_build_array(*fields), table.c.key)
        )
        part = sa.select(entries).where(table.c.run_id == run_id)
        if keys.keys is not None:
            chosen = sa.bindparam(None, sorted(keys.keys), type_=postgresql.ARRAY(table.c.key.type))
            part = part.where(table.c.key == sa.any_(chosen))
        arrays.append(part.scalar_subquery())
    return sa.func.json_build_array(*arrays).label(JSON_DATA_LABEL)


def _value_text(m: Any) -> sa.ColumnElement[str]:
    return sa.case((m.is_nan, sa.literal("NaN")), else_=sa.cast(m.value, sa.Text))


def run_from_json(info: RunInfo, data: Any) -> Run:
    """A run from its info and the decoded document of `json_data_column`."""
    tags, params, metrics = data
    return Run(
        info=info,
        data=RunData(
            metrics=tuple(Metric(k, float(v), ts, step) for k, v, ts, step in metrics or ()),
            params=tuple(starmap(Param, params or ())),
            tags=tuple(starmap(Tag, tags or ())),
        ),
    )
