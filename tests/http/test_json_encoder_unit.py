"""The compiled response encoder gives json_format's output exactly, on every message of the
contract filled with awkward values (NaN, infinities, -0.0, 64-bit extremes, unknown enum
numbers, unset optional fields, empty repeated fields, nested messages)."""

from __future__ import annotations

import importlib
import math
import pkgutil
import random
from typing import Any

import orjson
import pytest
import trackd.v1
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from trackd_server.api.http.json_encoder import message_to_dict

_FD = FieldDescriptor
DOUBLES = [0.0, -0.0, 1.5, 0.1 + 0.2, 1e-308, 5e-324, 1.7976931348623157e308, math.nan,
           math.inf, -math.inf]  # fmt: skip
INT64 = [0, -1, 2**63 - 1, -(2**63), 1_700_000_000_000]
STRINGS = ["", "loss", "ünïcode ключ 🔥", 'quote " and \\ backslash', "line\nbreak"]


def contract_messages() -> list[type[Message]]:
    found: dict[str, type[Message]] = {}
    for info in pkgutil.iter_modules(trackd.v1.__path__):
        if not info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"trackd.v1.{info.name}")
        for name in module.DESCRIPTOR.message_types_by_name:
            cls = getattr(module, name)
            found[cls.DESCRIPTOR.full_name] = cls
    return [found[name] for name in sorted(found)]


def scalar(field: Any, rng: random.Random) -> Any:
    if field.type == _FD.TYPE_DOUBLE:
        return rng.choice(DOUBLES)
    if field.type in (_FD.TYPE_INT64, _FD.TYPE_SINT64, _FD.TYPE_SFIXED64):
        return rng.choice(INT64)
    if field.type in (_FD.TYPE_INT32, _FD.TYPE_SINT32, _FD.TYPE_SFIXED32):
        return rng.choice([0, -7, 2**31 - 1])
    if field.type in (_FD.TYPE_UINT32, _FD.TYPE_FIXED32):
        return rng.choice([0, 2**32 - 1])
    if field.type in (_FD.TYPE_UINT64, _FD.TYPE_FIXED64):
        return rng.choice([0, 2**64 - 1])
    if field.type == _FD.TYPE_BOOL:
        return rng.choice([True, False])
    if field.type == _FD.TYPE_STRING:
        return rng.choice(STRINGS)
    if field.type == _FD.TYPE_BYTES:
        return rng.choice([b"", b"\x00\xff raw", bytes(range(256))])
    if field.type == _FD.TYPE_ENUM:
        return rng.choice([v.number for v in field.enum_type.values] + [99])
    raise AssertionError(field.full_name)


def fill(message: Message, rng: random.Random, depth: int = 0) -> None:
    for field in message.DESCRIPTOR.fields:
        if rng.random() < 0.25:
            continue  # left unset: defaults, absent optional fields, empty lists
        target = getattr(message, field.name)
        if field.is_repeated:
            for _ in range(rng.randrange(4)):
                if field.type == _FD.TYPE_MESSAGE:
                    if depth < 4:
                        fill(target.add(), rng, depth + 1)
                else:
                    target.append(scalar(field, rng))
        elif field.type == _FD.TYPE_MESSAGE:
            if depth < 4:
                fill(target, rng, depth + 1)
                target.SetInParent()
        else:
            setattr(message, field.name, scalar(field, rng))


def reference(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def same_json(a: Any, b: Any) -> bool:
    # Through bytes, so that NaN compares equal to NaN and -0.0 differs from 0.0.
    return orjson.dumps(a, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        b, option=orjson.OPT_SORT_KEYS
    )


@pytest.mark.parametrize("cls", contract_messages(), ids=lambda c: c.DESCRIPTOR.full_name)
def test_matches_json_format_on_every_message(cls: type[Message]) -> None:
    rng = random.Random(cls.DESCRIPTOR.full_name)
    empty = cls()
    assert same_json(message_to_dict(empty), reference(empty))
    for _ in range(40):
        message = cls()
        fill(message, rng)
        ours, theirs = message_to_dict(message), reference(message)
        assert same_json(ours, theirs), (ours, theirs)


def test_the_contract_has_messages_to_compare() -> None:
    names = {cls.DESCRIPTOR.full_name for cls in contract_messages()}
    assert {"trackd.v1.SearchRunsResponse", "trackd.v1.Run", "trackd.v1.Metric"} <= names
