"""Keyset ("seek") pagination: the next page starts strictly after the last row's sort values,
so pages cost the same at any depth and never skip or repeat a row while others are written.
Missing values sort last in either direction; the last sort key must be unique (an id)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class SortKey:
    expr: ColumnElement[Any]
    descending: bool = False
    nullable: bool = False


def order_clauses(keys: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    clauses: list[ColumnElement[Any]] = []
    for key in keys:
        clause = key.expr.desc() if key.descending else key.expr.asc()
        clauses.append(clause.nulls_last() if key.nullable else clause)
    return clauses


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """The condition "this row sorts strictly after the row whose sort values are `values`"."""
    if len(keys) != len(values):
        raise ValueError("cursor does not match the sort keys")
    condition: ColumnElement[bool] = sa.false()
    # Built from the last key outwards: after_i = beyond(k_i) OR (equal(k_i) AND after_{i+1}).
    for key, value in reversed(list(zip(keys, values, strict=True))):
        condition = sa.or_(_beyond(key, value), sa.and_(_equal(key, value), condition))
    return condition


def _beyond(key: SortKey, value: Any) -> ColumnElement[bool]:
    if value is None:
        return sa.false()  # nulls are last: nothing sorts after a null but more nulls
    strictly = key.expr < value if key.descending else key.expr > value
    return sa.or_(strictly, key.expr.is_(None)) if key.nullable else strictly


def _equal(key: SortKey, value: Any) -> ColumnElement[bool]:
    return key.expr.is_(None) if value is None else key.expr == value
