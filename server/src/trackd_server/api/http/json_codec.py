"""Proto3 JSON in and out through `google.protobuf.json_format`, plus the few checks that
protect users (docs/http-api.md, "Request JSON" and "Response JSON").

json_format does the mapping: names in snake_case or lowerCamel, 64-bit integers as numbers
or strings, doubles as numbers or "NaN"/"Infinity"/"-Infinity", enums by name or number,
well-known types. What is added here, each for a reason given where it is done:
- the body is refused before parsing when it nests deeper than MAX_DEPTH (Python's parser
  would otherwise recurse until RecursionError, a 500);
- a key repeated in one object, and bare `NaN`/`Infinity` tokens (not JSON), are 400s;
- a field spelt twice (`run_id` and `runId`) and an unknown field are 400s naming the field
  by its path in the request (`metrics[0].valu`), with the known fields listed;
- an enum number outside the enum is a 400 (proto3 enums are open, so json_format would
  store 99 and the server would silently ignore it); enums may also be given by the name
  without the enum's prefix (`FINISHED`, `finished`);
- integers written in scientific notation as strings (`"1e+05"`, which R's as.character()
  writes) are read exactly when they denote a whole number.

Responses: snake_case field names, every field present (defaults included) except unset
`optional` fields, enums by full name, 64-bit integers as strings (the proto3 JSON mapping),
non-finite doubles as "NaN", "Infinity", "-Infinity".
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

from trackd_server.api.http.errors import invalid_argument

_FD = FieldDescriptor
# The pure-Python and upb descriptor classes are distinct types in the stubs.
AnyDescriptor = Descriptor | Any
_INTEGER_TYPES = {
    _FD.TYPE_INT32, _FD.TYPE_INT64, _FD.TYPE_UINT32, _FD.TYPE_UINT64, _FD.TYPE_SINT32,
    _FD.TYPE_SINT64, _FD.TYPE_FIXED32, _FD.TYPE_FIXED64, _FD.TYPE_SFIXED32, _FD.TYPE_SFIXED64,
}  # fmt: skip
# Nesting of JSON objects and arrays a request may have. trackd's deepest request
# (GetMetricHistoryBulk, LogBatch) nests 3 levels; 32 leaves room for well-known types.
MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_EMPTY_PAIR = re.compile(rb"\[\]|\{\}")
_DEEP_OPENING = re.compile(rb"[\[{]{%d}" % (MAX_DEPTH + 1))
_EXPONENT_OR_POINT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE.][+-]?\d*")
# Beyond this decimal exponent no value fits in 64 bits; refusing early keeps a hostile
# "1e999999999" from building a huge integer.
_MAX_EXPONENT = 20


def _too_deep() -> Exception:
    return invalid_argument(
        "JSON_TOO_DEEP",
        f"request body nests objects and arrays deeper than the limit of {MAX_DEPTH} levels",
        limit=str(MAX_DEPTH),
    )


def _check_depth(body: bytes) -> None:
    """Refuses a body nested deeper than MAX_DEPTH without recursing: with the strings taken
    out, each pass removes the innermost empty `[]`/`{}` pairs, so a well-formed body of
    depth d is empty after d passes. An unbalanced rest is malformed JSON, which the parser
    reports precisely, unless it opens more than MAX_DEPTH levels before failing."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return
        shorter = _EMPTY_PAIR.sub(b"", brackets)
        if len(shorter) == len(brackets):
            if _DEEP_OPENING.search(brackets):
                raise _too_deep()
            return
        brackets = shorter
    if brackets:
        raise _too_deep()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would otherwise keep its last value silently.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise invalid_argument(
                    "DUPLICATE_FIELD", f"key {key!r} appears twice in one JSON object", field=key
                )
            seen.add(key)
    return obj


def _constant(token: str) -> Any:
    raise invalid_argument(
        "MALFORMED_JSON",
        f'bare {token} is not JSON; send the string "{token}" for a non-finite double',
    )


def decode_json(body: bytes) -> Any:
    """Decodes a request body (see the module docstring for what is refused)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_argument("MALFORMED_JSON", f"request body is not UTF-8: {exc}") from exc
    _check_depth(body)
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError as exc:
        raise invalid_argument("MALFORMED_JSON", f"request body is not valid JSON: {exc}") from exc


def _exact_integer(value: str) -> Any:
    """An integer string in scientific or decimal notation as an int when it denotes a whole
    number exactly; otherwise unchanged, for json_format to refuse."""
    try:
        number = Decimal(value.strip())
        if number.is_finite() and number.adjusted() <= _MAX_EXPONENT:
            integral = number.to_integral_value()
            if number == integral:
                return int(integral)
    except InvalidOperation:
        pass
    return value


def _enum_value(value: Any, enum: EnumDescriptor, path: str) -> Any:
    if isinstance(value, bool):
        return value  # json_format refuses it
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)  # a query parameter's number
    if isinstance(value, int):
        if value not in enum.values_by_number:
            known = ", ".join(v.name for v in enum.values)
            raise invalid_argument(
                "INVALID_FIELD_VALUE",
                f"{path!r}: {value} is not a value of {enum.full_name}; known: {known}",
                field=path,
            )
        return value
    if isinstance(value, str) and value not in enum.values_by_name:
        prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
        if prefix + value.upper() in enum.values_by_name:
            return prefix + value.upper()
    return value


def _scalar(value: Any, field: FieldDescriptor, path: str) -> Any:
    if field.message_type is not None:
        return checked(value, field.message_type, path)
    if field.enum_type is not None:
        return _enum_value(value, field.enum_type, path)
    if (
        field.type in _INTEGER_TYPES
        and isinstance(value, str)
        and _EXPONENT_OR_POINT.fullmatch(value.strip())
    ):
        return _exact_integer(value)
    return value


def _field_value(value: Any, field: FieldDescriptor, path: str) -> Any:
    if value is None:
        return None
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        if not isinstance(value, dict):
            return value  # json_format refuses it, naming the field
        value_field = field.message_type.fields_by_name["value"]
        return {k: _scalar(v, value_field, f"{path}.{k}") for k, v in value.items()}
    if field.is_repeated:
        if not isinstance(value, list):
            return value
        return [_scalar(v, field, f"{path}[{i}]") for i, v in enumerate(value)]
    return _scalar(value, field, path)


def checked(obj: Any, descriptor: AnyDescriptor, where: str = "") -> Any:
    """Checks decoded JSON against `descriptor` for what json_format lets through or reports
    without the request's field path (see the module docstring); returns it with short enum
    names and R's integers rewritten."""
    if descriptor.full_name.startswith("google.protobuf.") or not isinstance(obj, dict):
        return obj  # json_format reads well-known types and refuses non-objects itself
    fields = descriptor.fields_by_name
    out: dict[str, Any] = {}
    for key, value in obj.items():
        field = fields.get(key) or _by_json_name(descriptor).get(key)
        path = f"{where}.{key}" if where else key
        if field is None:
            known = ", ".join(f.name for f in descriptor.fields)
            raise invalid_argument(
                "UNKNOWN_FIELD",
                f"unknown field {path!r} in {descriptor.full_name}; known fields: {known}",
                field=path,
            )
        if field.name in out:
            raise invalid_argument(
                "DUPLICATE_FIELD",
                f"field {field.name!r} is given twice (as {field.name!r} and {field.json_name!r})",
                field=path,
            )
        out[field.name] = _field_value(value, field, path)
    return out


_JSON_NAMES: dict[str, dict[str, FieldDescriptor]] = {}


def _by_json_name(descriptor: AnyDescriptor) -> dict[str, FieldDescriptor]:
    names = _JSON_NAMES.get(descriptor.full_name)
    if names is None:
        names = _JSON_NAMES[descriptor.full_name] = {f.json_name: f for f in descriptor.fields}
    return names


def parse_message(obj: Any, message: Message) -> Message:
    """Fills `message` from decoded JSON; any mismatch is a 400 naming the field."""
    if not isinstance(obj, dict):
        raise invalid_argument("MALFORMED_JSON", "request body must be a JSON object")
    prepared = checked(obj, message.DESCRIPTOR)
    try:
        json_format.ParseDict(prepared, message, max_recursion_depth=MAX_DEPTH)
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise invalid_argument(
            "INVALID_FIELD_VALUE", f"invalid {message.DESCRIPTOR.name}: {str(exc).rstrip('.')}"
        ) from exc
    return message


def message_to_json(message: Message) -> dict[str, Any]:
    """The documented response form of `message` (see the module docstring)."""
    return json_format.MessageToDict(
        message,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )


def dumps(doc: Any) -> bytes:
    """Compact UTF-8 JSON. Non-finite doubles are already the strings json_format writes."""
    return orjson.dumps(doc)
