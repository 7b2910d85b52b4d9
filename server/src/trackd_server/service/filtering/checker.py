"""Type checking: every field exists for the entity searched, takes the operator, and is
compared with a value of its type. Returns the tree with canonical attribute names and values
converted to what the store compares (floats for metrics, ints for times and ids, stored
spellings of statuses)."""

from __future__ import annotations

import math

from ...domain.filters import (
    ATTRIBUTE,
    DATASET,
    ILIKE,
    IN,
    IS_NULL,
    LIKE,
    And,
    Comparison,
    Expr,
    Field,
    Not,
    Or,
    Scalar,
)
from .errors import FilterError
from .schema import DESCRIPTIONS, ENUM, ID, INTEGER, NUMBER, OPERATORS, STRING, Schema
from .tokens import quote

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_KIND_NAMES = {"metric": "metrics", "param": "params", "tag": "tags"}


def check(expr: Expr, schema: Schema) -> Expr:
    """`expr` checked against `schema`; raises FilterError at the offending position."""
    if isinstance(expr, And):
        return And(tuple(check(e, schema) for e in expr.operands))
    if isinstance(expr, Or):
        return Or(tuple(check(e, schema) for e in expr.operands))
    if isinstance(expr, Not):
        return Not(check(expr.operand, schema))
    return _comparison(expr, schema)


def resolve_field(field: Field, schema: Schema) -> Field:
    """The field with its attribute name made canonical; raises if the entity lacks it."""
    if field.kind == DATASET:
        raise FilterError(
            "dataset filters are not supported: trackd does not record datasets", field.pos
        )
    if field.kind == ATTRIBUTE:
        name = field.key.strip().lower().replace(" ", "_")
        name = schema.aliases.get(name, name)
        if name not in schema.attributes:
            raise FilterError(
                f"{field.key!r} is not an attribute of {schema.entity}s; use one of "
                f"{', '.join(schema.attributes)}"
                + ("" if schema.entity == "experiment" else ", or metrics., params., tags."),
                field.pos,
            )
        return Field(ATTRIBUTE, name, field.pos)
    if field.kind not in schema.kinds:
        kinds = ", ".join(f"{_KIND_NAMES[k]}.<key>" for k in sorted(schema.kinds))
        raise FilterError(
            f"{schema.entity}s have no {_KIND_NAMES[field.kind]}: use "
            f"{', '.join(schema.attributes)} or {kinds}",
            field.pos,
        )
    return field


def resolve_sort_field(field: Field, schema: Schema) -> Field:
    resolved = resolve_field(field, schema)
    if resolved.kind not in schema.sortable_kinds:
        raise FilterError(
            f"{schema.entity}s can be sorted by {', '.join(schema.attributes)} only", field.pos
        )
    return resolved


def _value_type(field: Field, schema: Schema) -> str:
    if field.kind == ATTRIBUTE:
        return schema.attributes[field.key].type
    return schema.kind_type(field.kind)


def _comparison(comparison: Comparison, schema: Schema) -> Comparison:
    field = resolve_field(comparison.field, schema)
    value_type = _value_type(field, schema)
    op = comparison.op
    allowed = OPERATORS[value_type]
    if op not in allowed:
        raise FilterError(
            f"{op} does not apply to {field}, which is {DESCRIPTIONS[value_type]}; "
            f"use {', '.join(allowed)}",
            comparison.op_pos,
        )
    if op == IS_NULL:
        return Comparison(field, op, None, comparison.op_pos)
    raw = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
    converted = tuple(
        _convert(value, pos, field, value_type, op, schema)
        for value, pos in zip(raw, comparison.value_pos, strict=True)
    )
    value = converted if op == IN else converted[0]
    return Comparison(field, op, value, comparison.op_pos, comparison.value_pos)


def _convert(
    value: object, pos: int, field: Field, value_type: str, op: str, schema: Schema
) -> Scalar:
    if value_type in (NUMBER, INTEGER) and isinstance(value, str):
        raise FilterError(
            f"{field} is {DESCRIPTIONS[value_type]}: compare it with an unquoted number, "
            f"not the string {quote(value)}",
            pos,
        )
    if value_type in (STRING, ENUM) and not isinstance(value, str):
        raise FilterError(f"{field} is a string: quote the value, e.g. {field} {op} '{value}'", pos)
    if value_type == NUMBER:
        assert isinstance(value, (int, float))
        return float(value)
    if value_type in (INTEGER, ID):
        return _integer(value, pos, field)
    assert isinstance(value, str)
    if op in (LIKE, ILIKE):
        _check_pattern(value, pos)
        return value
    if value_type == ENUM:
        choices = schema.attributes[field.key].choices
        stored = choices.get(value.strip().upper())
        if stored is None:
            names = [name.upper() for name in dict.fromkeys(choices.values())]
            raise FilterError(
                f"{quote(value)} is not a valid {field}; use one of {', '.join(names)}", pos
            )
        return stored
    return value


def _integer(value: object, pos: int, field: Field) -> int | float:
    if isinstance(value, str):  # only ids get here: MLflow clients send them as strings
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise FilterError(f"{field} is an integer id, not {quote(value)}", pos)
        value = int(text)
    assert isinstance(value, (int, float))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FilterError(f"{value} is out of range for {field}", pos)
        if not value.is_integer():
            return value  # start_time > 1.5 is meaningful; the database compares exactly
        value = int(value)
    if not INT64_MIN <= value <= INT64_MAX:
        raise FilterError(f"{value} is out of range for {field} (a 64-bit integer)", pos)
    return value


def _check_pattern(pattern: str, pos: int) -> None:
    """LIKE patterns use % and _ as wildcards and a backslash to take the next character
    literally; a lone backslash at the end has nothing to escape."""
    escaped = False
    for char in pattern:
        escaped = not escaped and char == "\\"
    if escaped:
        raise FilterError("a LIKE pattern cannot end with a lone backslash (write \\\\)", pos)
