"""A fast path for request JSON -> protobuf: the common, well-formed shapes in one pass.

Why: `checked()` plus `json_format.ParseDict` walk a LogBatch of 1000 metrics twice through
generic per-value code (~25 ms here, longer than the database write), and HTTP/JSON clients
(R, curl, the web UI) paid it on every batch. For each message type a plan is compiled once
from its descriptor; a request whose every value has the plain, unambiguous form (a string for
a string, a number or "NaN"/"Infinity"/"-Infinity" for a double, an integer or a decimal
integer string in range for an integer, an enum by its full name or a known number, objects
and lists where messages and repeated fields are) becomes the constructor's keyword arguments
directly. Anything else (unknown or twice-spelt fields, other spellings, nulls, bytes, maps,
well-known types, two members of one oneof, out-of-range numbers) is not judged here: the
caller falls back to the full path, which accepts or refuses it with its documented errors.
So the fast path never accepts what the full path refuses, nor gives another message;
tests/http/test_json_decoder_unit.py checks both on valid and broken requests.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor

_FD = FieldDescriptor
_RANGES = {
    _FD.TYPE_INT32: (-(2**31), 2**31 - 1),
    _FD.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    _FD.TYPE_UINT32: (0, 2**32 - 1),
    _FD.TYPE_FIXED32: (0, 2**32 - 1),
    _FD.TYPE_INT64: (-(2**63), 2**63 - 1),
    _FD.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    _FD.TYPE_UINT64: (0, 2**64 - 1),
    _FD.TYPE_FIXED64: (0, 2**64 - 1),
}
_NON_FINITE = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
# A plan: JSON key -> (field name, kind, detail, repeated, oneof name or None).
Plan = dict[str, tuple[str, str, Any, bool, str | None]]
_plans: dict[str, Plan | None] = {}


class NotFast(Exception):
    """The request is not in the plain form; the full path decides."""


def compiled_plan(descriptor: Any) -> Plan | None:
    """The compiled plan of a message type, or None when it has fields the fast path leaves
    to the full path (maps, bytes, floats, groups, well-known types)."""
    name = descriptor.full_name
    if name in _plans:
        return _plans[name]
    _plans[name] = None  # a recursive type is left to the full path while it compiles
    plan: Plan = {}
    supported = not name.startswith("google.protobuf.")
    for field in descriptor.fields if supported else ():
        oneof = field.containing_oneof.name if field.containing_oneof is not None else None
        if field.type == _FD.TYPE_MESSAGE:
            nested = field.message_type
            if nested.GetOptions().map_entry or compiled_plan(nested) is None:
                supported = False
                break
            kind, detail = "message", field.message_type
        elif field.type == _FD.TYPE_ENUM:
            kind = "enum"
            detail = (
                {v.name: v.number for v in field.enum_type.values},
                {v.number for v in field.enum_type.values},
            )
        elif field.type == _FD.TYPE_STRING:
            kind, detail = "string", None
        elif field.type == _FD.TYPE_BOOL:
            kind, detail = "bool", None
        elif field.type == _FD.TYPE_DOUBLE:
            kind, detail = "double", None
        elif field.type in _RANGES:
            kind, detail = "integer", _RANGES[field.type]
        else:
            supported = False
            break
        entry = (field.name, kind, detail, field.is_repeated, oneof)
        plan[field.name] = entry
        if field.json_name != field.name:
            plan[field.json_name] = entry
    _plans[name] = plan if supported else None
    return _plans[name]


def _integer(value: Any, bounds: tuple[int, int]) -> int:
    if type(value) is str:
        digits = value[1:] if value[:1] == "-" else value
        if not digits.isdigit() or not digits.isascii():
            raise NotFast
        value = int(value)
    elif type(value) is not int:
        raise NotFast
    if not bounds[0] <= value <= bounds[1]:
        raise NotFast
    return int(value)


def _value(value: Any, kind: str, detail: Any) -> Any:
    if kind == "string":
        if type(value) is not str:
            raise NotFast
        return value
    if kind == "double":
        if type(value) is float or type(value) is int:
            return float(value)
        if type(value) is str and value in _NON_FINITE:
            return _NON_FINITE[value]
        raise NotFast
    if kind == "integer":
        return _integer(value, detail)
    if kind == "message":
        if type(value) is not dict:
            raise NotFast
        return keyword_arguments(value, detail)
    if kind == "enum":
        names, numbers = detail
        if type(value) is str and value in names:
            return names[value]
        if type(value) is int and value in numbers:
            return value
        raise NotFast
    if kind == "bool":
        if type(value) is not bool:
            raise NotFast
        return value
    raise NotFast


def keyword_arguments(doc: dict[str, Any], descriptor: Any) -> dict[str, Any]:
    """The constructor arguments of `descriptor`'s message for `doc`; NotFast when `doc` is
    not in the plain form."""
    plan = compiled_plan(descriptor)
    if plan is None:
        raise NotFast
    out: dict[str, Any] = {}
    oneofs: set[str] = set()
    for key, value in doc.items():
        entry = plan.get(key)
        if entry is None:
            raise NotFast
        name, kind, detail, repeated, oneof = entry
        if name in out:
            raise NotFast
        if oneof is not None:
            if oneof in oneofs:
                raise NotFast
            oneofs.add(oneof)
        if repeated:
            if type(value) is not list:
                raise NotFast
            out[name] = [_value(v, kind, detail) for v in value]
        else:
            out[name] = _value(value, kind, detail)
    return out
