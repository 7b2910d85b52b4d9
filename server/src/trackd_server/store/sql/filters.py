"""Compiles checked filter trees (trackd_server.domain.filters) to SQL conditions.

Every value and key is a bound parameter; nothing from the filter text is spliced into SQL.
A metric, param or tag comparison becomes a correlated EXISTS on its (owner id, key) primary
key, so the database can either probe the key per row or semi-join from an index on
(key, value).

Three-valued logic. A comparison on a field the row lacks (a run without that metric, a NULL
end_time) is UNKNOWN, as in SQL: neither it nor its negation matches. EXISTS is two-valued, so
NOT is pushed down to the comparisons (De Morgan) and each comparison compiles to either
"present and true" or "present and false". IS NULL is never unknown.

NaN metrics follow IEEE 754: a NaN is present but unequal to everything, so only `!=` (and the
negation of any comparison) matches it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ...domain.filters import (
    ATTRIBUTE,
    EQ,
    GE,
    GT,
    ILIKE,
    IN,
    IS_NULL,
    LE,
    LIKE,
    LT,
    METRIC,
    NE,
    PARAM,
    TAG,
    And,
    Comparison,
    Expr,
    Not,
    Or,
)
from .models import (
    VALUE_PREFIX,
    ExperimentRow,
    ExperimentTagRow,
    LatestMetricRow,
    ParamRow,
    RunRow,
    RunTagRow,
)

Condition = sa.ColumnElement[bool]

RUNS = RunRow.__table__
EXPERIMENTS = ExperimentRow.__table__
R = RUNS.c
E = EXPERIMENTS.c
LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class _Target:
    """The table searched: its attribute columns (name -> (column, nullable)) and the
    key/value tables of its metrics, params and tags (kind -> (table, owner id column))."""

    attributes: Mapping[str, tuple[sa.ColumnElement[Any], bool]]
    owner: sa.ColumnElement[Any]
    owner_key: str  # the owner id's column name in the key/value tables
    key_values: Mapping[str, sa.FromClause]
    # The kinds whose table has the (key, value prefix, owner) index (models.VALUE_PREFIX).
    prefix_indexed: frozenset[str] = frozenset()


RUN_ATTRIBUTES: Mapping[str, tuple[sa.ColumnElement[Any], bool]] = {
    "run_id": (R.run_id, False),
    "run_name": (R.name, False),
    "status": (R.status, False),
    "user_id": (R.user_id, False),
    "artifact_uri": (R.artifact_uri, False),
    "lifecycle_stage": (R.lifecycle_stage, False),
    "start_time": (R.start_time, False),
    "end_time": (R.end_time, True),
    "experiment_id": (R.experiment_id, False),
}
EXPERIMENT_ATTRIBUTES: Mapping[str, tuple[sa.ColumnElement[Any], bool]] = {
    "name": (E.name, False),
    "experiment_id": (E.experiment_id, False),
    "creation_time": (E.creation_time, False),
    "last_update_time": (E.last_update_time, False),
    "lifecycle_stage": (E.lifecycle_stage, False),
}

_RUN = _Target(
    RUN_ATTRIBUTES,
    R.run_id,
    "run_id",
    {METRIC: LatestMetricRow.__table__, PARAM: ParamRow.__table__, TAG: RunTagRow.__table__},
    prefix_indexed=frozenset({PARAM, TAG}),
)
_EXPERIMENT = _Target(
    EXPERIMENT_ATTRIBUTES, E.experiment_id, "experiment_id", {TAG: ExperimentTagRow.__table__}
)


def compile_run_filter(expression: Expr, dialect: str) -> Condition:
    """The WHERE condition over `runs` for a checked run filter, for the named SQLAlchemy
    dialect ("postgresql" or "sqlite": they differ in how LIKE is made case-sensitive)."""
    return _Compiler(_RUN, dialect).compile(expression, positive=True)


def compile_experiment_filter(expression: Expr, dialect: str) -> Condition:
    """The WHERE condition over `experiments` for a checked experiment filter."""
    return _Compiler(_EXPERIMENT, dialect).compile(expression, positive=True)


class _Compiler:
    def __init__(self, target: _Target, dialect: str) -> None:
        self._target = target
        self._dialect = dialect

    def compile(self, expr: Expr, positive: bool) -> Condition:
        """The condition "expr is TRUE" (positive) or "expr is FALSE" (not positive)."""
        if isinstance(expr, Not):
            return self.compile(expr.operand, not positive)
        if isinstance(expr, (And, Or)):
            parts = [self.compile(e, positive) for e in expr.operands]
            conjunction = isinstance(expr, And) == positive
            return sa.and_(*parts) if conjunction else sa.or_(*parts)
        return self._comparison(expr, positive)

    def _comparison(self, c: Comparison, positive: bool) -> Condition:
        if c.field.kind == ATTRIBUTE:
            column, nullable = self._target.attributes[c.field.key]
            if c.op == IS_NULL:
                return column.is_(None) if positive else column.is_not(None)
            condition = self._value_condition(column, c)
            if positive:
                return condition
            negated = sa.not_(condition)
            return sa.and_(column.is_not(None), negated) if nullable else negated
        table = self._target.key_values[c.field.kind].alias()
        present = [
            table.c[self._target.owner_key] == self._target.owner,
            table.c.key == c.field.key,
        ]
        if c.op == IS_NULL:
            exists = sa.exists().where(*present)
            return sa.not_(exists) if positive else exists
        if c.field.kind == METRIC:
            condition = _metric_condition(table, c)
        elif positive and c.field.kind in self._target.prefix_indexed and c.op in (EQ, IN):
            condition = _prefix_indexed_equality(table, c)
        else:
            condition = self._value_condition(table.c.value, c)
        return sa.exists().where(*present, condition if positive else sa.not_(condition))

    def _value_condition(self, column: sa.ColumnElement[Any], c: Comparison) -> Condition:
        if c.op == LIKE:
            assert isinstance(c.value, str)
            return self._case_sensitive_like(column, c.value)
        if c.op == ILIKE:
            # SQLite compiles this to lower(x) LIKE lower(y), which folds ASCII letters only.
            return column.ilike(c.value, escape=LIKE_ESCAPE)
        return _COMPARATORS[c.op](column, c.value)

    def _case_sensitive_like(self, column: sa.ColumnElement[Any], pattern: str) -> Condition:
        if self._dialect == "sqlite":
            # SQLite's LIKE ignores ASCII case; GLOB is its case-sensitive matcher.
            return column.op("GLOB", is_comparison=True)(like_to_glob(pattern))
        return column.like(pattern, escape=LIKE_ESCAPE)


_COMPARATORS: Mapping[str, Callable[[sa.ColumnElement[Any], Any], Condition]] = {
    EQ: lambda column, value: column == value,
    NE: lambda column, value: column != value,
    LT: lambda column, value: column < value,
    LE: lambda column, value: column <= value,
    GT: lambda column, value: column > value,
    GE: lambda column, value: column >= value,
    IN: lambda column, value: column.in_(value),
}


def _prefix_indexed_equality(table: sa.FromClause, c: Comparison) -> Condition:
    """`value = v` (or `value IN (...)`) spelled so that the (key, value prefix, owner) index
    answers it. A value shorter than the prefix equals `v` exactly when its prefix does, so
    the index alone decides; a longer `v` also needs the whole value compared."""
    # Literal arguments (not bound parameters), or the planner would not match the index.
    prefix = sa.func.substr(
        table.c.value, sa.literal_column("1"), sa.literal_column(str(VALUE_PREFIX))
    )
    listed = c.value if isinstance(c.value, tuple) else (c.value,)
    values = [v for v in listed if isinstance(v, str)]  # the checker typed them as strings
    short = [v for v in values if len(v) < VALUE_PREFIX]
    long = [v for v in values if len(v) >= VALUE_PREFIX]
    alternatives: list[Condition] = []
    if short:
        alternatives.append(prefix.in_(short) if len(short) > 1 else prefix == short[0])
    for v in long:
        alternatives.append(sa.and_(prefix == v[:VALUE_PREFIX], table.c.value == v))
    return sa.or_(*alternatives) if len(alternatives) > 1 else alternatives[0]


def _metric_condition(table: sa.FromClause, c: Comparison) -> Condition:
    # NaN is stored as is_nan with value 0: it satisfies != and nothing else.
    value_condition = _COMPARATORS[c.op](table.c.value, c.value)
    if c.op == NE:
        return sa.or_(table.c.is_nan.is_(True), value_condition)
    return sa.and_(table.c.is_nan.is_(False), value_condition)


def metric_value_condition(table: sa.FromClause, comparison: Comparison) -> Condition:
    """`comparison` (on a metric) applied to a row of `table`, an alias of latest_metrics."""
    return _metric_condition(table, comparison)


def required_metric_comparisons(expression: Expr | None, key: str) -> list[Comparison]:
    """The comparisons on metric `key` that every run matching `expression` satisfies with a
    non-NaN value: top-level AND terms using =, <, <=, >, >= or IN. A search sorted by that
    metric can apply them to the sort join too, where they bound the index range, and knows
    that no run without the metric matches."""
    terms = expression.operands if isinstance(expression, And) else (expression,)
    return [
        term
        for term in terms
        if isinstance(term, Comparison)
        and term.field.kind == METRIC
        and term.field.key == key
        and term.op in (EQ, LT, LE, GT, GE, IN)
    ]


def like_to_glob(pattern: str) -> str:
    """A SQLite GLOB pattern matching what LIKE `pattern` (escape character backslash) matches,
    case-sensitively: % -> *, _ -> ?, and GLOB's own metacharacters bracketed as literals."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == LIKE_ESCAPE:
            out.append(_glob_literal(next(chars, LIKE_ESCAPE)))
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(_glob_literal(char))
    return "".join(out)


def _glob_literal(char: str) -> str:
    return f"[{char}]" if char in "*?[" else char
