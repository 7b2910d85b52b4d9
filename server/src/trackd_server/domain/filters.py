"""The filter expression tree.

Nodes are frozen dataclasses so that a parsed filter has a stable `repr` (it goes into the
digest of page tokens) and can be compared in tests. Character positions ride along for error
messages but are left out of `repr` and equality: the same filter written with other spacing is
the same query.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

# Field kinds. "attribute" is a column of the entity itself (runs.status, experiments.name).
METRIC = "metric"
PARAM = "param"
TAG = "tag"
ATTRIBUTE = "attribute"
DATASET = "dataset"  # parsed for MLflow compatibility, rejected by the type checker

# Comparison operators after parsing. `NOT LIKE`, `NOT ILIKE`, `NOT IN` and `IS NOT NULL` are
# parsed as Not(...) around the positive operator, which means the same under our
# three-valued logic and keeps the compiler small.
EQ, NE, LT, LE, GT, GE = "=", "!=", "<", "<=", ">", ">="
LIKE, ILIKE, IN, IS_NULL = "LIKE", "ILIKE", "IN", "IS NULL"
# The operators a value of each sort takes: numbers order, strings match patterns.
NUMBER_OPERATORS = (EQ, NE, LT, LE, GT, GE, IN, IS_NULL)
STRING_OPERATORS = (EQ, NE, LIKE, ILIKE, IN, IS_NULL)

Scalar = str | int | float
Value = Scalar | tuple[Scalar, ...] | None

_PLURAL = {METRIC: "metrics", PARAM: "params", TAG: "tags", DATASET: "datasets"}


@dataclass(frozen=True)
class Field:
    """What a comparison or sort key looks at: a metric, param or tag key, or an attribute."""

    kind: str
    key: str
    pos: int = dataclasses.field(default=0, repr=False, compare=False)

    def __str__(self) -> str:
        """The canonical spelling: `metrics.<key>`, `params.<key>`, `tags.<key>` or the bare
        attribute name. Keys may contain dots; the kind never does, so the first dot splits."""
        if self.kind == ATTRIBUTE:
            return self.key
        return f"{_PLURAL[self.kind]}.{self.key}"


@dataclass(frozen=True)
class Comparison:
    """`field op value`; value is a tuple for IN and None for IS NULL."""

    field: Field
    op: str
    value: Value
    op_pos: int = dataclasses.field(default=0, repr=False, compare=False)
    value_pos: tuple[int, ...] = dataclasses.field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Comparison | Not | And | Or


def split_sort_key(name: str) -> tuple[str, str]:
    """Inverse of str(Field) for sort keys: ("metric", "loss") for "metrics.loss", and
    ("attribute", name) for a bare attribute name."""
    prefix, dot, key = name.partition(".")
    if dot:
        for kind, plural in _PLURAL.items():
            if plural == prefix:
                return kind, key
    return ATTRIBUTE, name
