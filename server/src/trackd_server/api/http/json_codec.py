"""Proto3 JSON in and out, with the leniency real clients need and one documented output form.

Requests are parsed by `google.protobuf.json_format` after a pass over the decoded JSON that
is driven by the message descriptor:
- integers arrive as numbers or strings, including R's scientific notation ("1e+05",
  "1.7e+12"); integral values are made exact integers (JSON numbers are decoded as `Decimal`,
  so nothing passes through a lossy float), the rest is left for json_format to reject;
- doubles may also be "NaN", "Infinity", "-Infinity" (or bare NaN/Infinity tokens);
- enums may be given by full name (RUN_STATUS_FINISHED), by the name without the enum's
  prefix (FINISHED), or by number;
- a field spelt twice (run_id and runId) is refused rather than silently resolved.

Responses: snake_case field names, every field present (defaults included: 0, "", [],
"..._UNSPECIFIED") except `optional` fields that are unset, enums by full name, 64-bit
integers as JSON numbers, non-finite doubles as "NaN", "Infinity", "-Infinity".
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

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
_INT64_TYPES = {
    _FD.TYPE_INT64, _FD.TYPE_UINT64, _FD.TYPE_SINT64, _FD.TYPE_FIXED64, _FD.TYPE_SFIXED64,
}  # fmt: skip
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Beyond this decimal exponent no value fits in 64 bits; refusing early keeps a hostile
# "1e999999999" from building a huge integer.
_MAX_EXPONENT = 20


def decode_json(body: bytes) -> Any:
    """Decodes a request body, keeping every JSON number exact as `Decimal`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_argument("MALFORMED_JSON", f"request body is not UTF-8: {exc}") from exc
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise invalid_argument("MALFORMED_JSON", f"request body is not valid JSON: {exc}") from exc


def _exact_integer(value: Any) -> Any:
    """`value` as an int when it denotes an integer exactly; otherwise unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            return value
        value = Decimal(text)
    if isinstance(value, Decimal):
        try:
            if (
                value.is_finite()
                and value.adjusted() <= _MAX_EXPONENT
                and value == value.to_integral_value()
            ):
                return int(value)
        except InvalidOperation:
            return str(value)
        return str(value)
    return value


def _enum_value(value: Any, enum: EnumDescriptor) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, str) and value not in enum.values_by_name:
        prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
        if prefix + value.upper() in enum.values_by_name:
            return prefix + value.upper()
    return value


def _scalar(value: Any, field: FieldDescriptor, where: str) -> Any:
    if field.type in _INTEGER_TYPES:
        return _exact_integer(value)
    if field.enum_type is not None:
        return _enum_value(value, field.enum_type)
    if field.message_type is not None:
        return normalise(value, field.message_type, where)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        # Bare NaN/Infinity tokens (Python's json.dumps writes them) as the canonical strings.
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _plain(value: Any) -> Any:
    """Decimals made floats, for the JSON of well-known types that json_format reads itself."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def normalise(obj: Any, descriptor: AnyDescriptor, where: str = "") -> Any:
    """Prepares decoded JSON for `json_format.ParseDict` (see the module docstring)."""
    if descriptor.full_name.startswith("google.protobuf."):
        return _plain(obj)
    if not isinstance(obj, dict):
        raise invalid_argument(
            "INVALID_FIELD_VALUE",
            f"expected a JSON object for {where or 'the request'} ({descriptor.full_name})",
            field=where,
        )
    fields: dict[str, FieldDescriptor] = {}
    for f in descriptor.fields:
        fields[f.name] = f
        fields[f.json_name] = f
    out: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for key, value in obj.items():
        field = fields.get(key)
        path = f"{where}.{key}" if where else key
        if field is None:
            known = ", ".join(f.name for f in descriptor.fields)
            raise invalid_argument(
                "UNKNOWN_FIELD",
                f"unknown field {path!r} in {descriptor.full_name}; known fields: {known}",
                field=path,
            )
        if field.name in seen:
            raise invalid_argument(
                "DUPLICATE_FIELD",
                f"field {field.name!r} is given twice (as {seen[field.name]!r} and {key!r})",
                field=path,
            )
        seen[field.name] = key
        out[key] = _field_value(value, field, path)
    return out


def _field_value(value: Any, field: FieldDescriptor, path: str) -> Any:
    if value is None:
        return None
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        if not isinstance(value, dict):
            raise invalid_argument(
                "INVALID_FIELD_VALUE", f"expected a JSON object for map {path!r}", field=path
            )
        value_field = field.message_type.fields_by_name["value"]
        return {k: _scalar(v, value_field, f"{path}.{k}") for k, v in value.items()}
    if field.is_repeated:
        if not isinstance(value, list):
            raise invalid_argument(
                "INVALID_FIELD_VALUE", f"expected a JSON array for {path!r}", field=path
            )
        return [_scalar(v, field, f"{path}[{i}]") for i, v in enumerate(value)]
    return _scalar(value, field, path)


def parse_message(obj: Any, message: Message) -> Message:
    """Fills `message` from decoded JSON; any mismatch is a 400 naming the field."""
    prepared = normalise(obj, message.DESCRIPTOR)
    try:
        json_format.ParseDict(prepared, message)
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise invalid_argument(
            "INVALID_FIELD_VALUE", f"invalid {message.DESCRIPTOR.name}: {str(exc).rstrip('.')}"
        ) from exc
    return message


def _unquote_int64(obj: Any, descriptor: AnyDescriptor) -> None:
    """json_format writes 64-bit integers as strings; we send numbers, as MLflow does."""
    if descriptor.full_name.startswith("google.protobuf.") or not isinstance(obj, dict):
        return
    for field in descriptor.fields:
        if field.name not in obj:
            continue
        value = obj[field.name]
        if field.type in _INT64_TYPES:
            obj[field.name] = [int(v) for v in value] if isinstance(value, list) else int(value)
        elif field.message_type is not None and not field.message_type.GetOptions().map_entry:
            for item in value if isinstance(value, list) else [value]:
                _unquote_int64(item, field.message_type)


def message_to_json(message: Message) -> dict[str, Any]:
    """The documented response form of `message` (see the module docstring)."""
    out = json_format.MessageToDict(
        message,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )
    _unquote_int64(out, message.DESCRIPTOR)
    return out
