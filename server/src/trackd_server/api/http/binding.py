"""Filling a request document from the parts of an HTTP request: the query string and the
path variables (google/api/http.proto's rules). The JSON body is the transcoder's business."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from trackd_server.api.http.errors import invalid_argument


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Sets dotted field `path` of a request document, creating nested objects."""
    *parents, leaf = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
        if not isinstance(target, dict):
            raise invalid_argument("INVALID_FIELD_VALUE", f"{name!r} is not a message")
    target[leaf] = value


def _query_field(descriptor: Descriptor, dotted: str) -> FieldDescriptor:
    field_desc: FieldDescriptor | None = None
    current: Descriptor | None = descriptor
    for name in dotted.split("."):
        if current is None:
            field_desc = None
            break
        by_json = {f.json_name: f for f in current.fields}
        field_desc = current.fields_by_name.get(name) or by_json.get(name)
        if field_desc is None:
            break
        current = field_desc.message_type
    if field_desc is None or field_desc.type == FieldDescriptor.TYPE_MESSAGE:
        known = ", ".join(f.name for f in descriptor.fields)
        raise invalid_argument(
            "UNKNOWN_FIELD",
            f"query parameter {dotted!r} is not a scalar field of {descriptor.full_name}; "
            f"known fields: {known}",
            field=dotted,
        )
    return field_desc


def scalar_text(raw: str, field_desc: FieldDescriptor, name: str) -> Any:
    """A query parameter's (or HTTP header's) text as JSON for `field_desc`: booleans are
    parsed here, everything else is left to the JSON codec."""
    if field_desc.type != FieldDescriptor.TYPE_BOOL:
        return raw
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise invalid_argument("INVALID_FIELD_VALUE", f"{name!r} must be true or false", field=name)


def query_to_dict(query: str, descriptor: Descriptor) -> dict[str, Any]:
    """Query parameters as a JSON-like dict for `descriptor`."""
    out: dict[str, Any] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False)
    except ValueError as exc:
        raise invalid_argument("MALFORMED_QUERY", f"malformed query string: {exc}") from exc
    for name, raw in pairs:
        field_desc = _query_field(descriptor, name)
        value = scalar_text(raw, field_desc, f"query parameter {name}")
        if field_desc.is_repeated:
            out.setdefault(name, []).append(value)
        elif name in out:
            raise invalid_argument(
                "DUPLICATE_FIELD", f"query parameter {name!r} is not repeated", field=name
            )
        else:
            out[name] = value
    # Nested names (a.b) become nested objects so json_format sees one message shape.
    nested: dict[str, Any] = {}
    for name, value in out.items():
        set_path(nested, name, value)
    return nested


def bind_path_value(doc: dict[str, Any], path: str, value: str) -> None:
    """Sets dotted field `path` to a path variable's value; the same field given elsewhere
    (body, query, header) with another value is a 400."""
    target: Any = doc
    for name in path.split(".")[:-1]:
        target = target.get(name, {}) if isinstance(target, dict) else {}
    leaf = path.split(".")[-1]
    camel = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), leaf)
    for spelling in {leaf, camel}:
        if not isinstance(target, dict) or spelling not in target:
            continue
        if str(target[spelling]) != value:
            raise invalid_argument(
                "CONFLICTING_FIELD",
                f"{path!r} is {value!r} in the path but {target[spelling]!r} elsewhere",
                field=path,
            )
        # The path's spelling replaces the other one, so the field is not given twice.
        del target[spelling]
    set_path(doc, path, value)
