"""The fast request decoder never disagrees with the full path (checked() + json_format): on
every message of the contract, for well-formed requests in several spellings and for broken
ones, whatever the fast path accepts the full path accepts too, as the same message."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from trackd.v1 import run_service_pb2
from trackd_server.api.http.errors import HttpError
from trackd_server.api.http.json_codec import MAX_DEPTH, checked, parse_message
from trackd_server.api.http.json_decoder import NotFast, compiled_plan, keyword_arguments

from tests.http.test_json_encoder_unit import contract_messages, fill

ODD_VALUES = [None, True, 1.5, -1, 2**70, "12", "-3", "1e3", " 4", "NaN", "Infinity", "x", [], {},
              [1], {"a": 1}, "RUN_STATUS_FINISHED", "FINISHED", 99, 10**400]  # fmt: skip


def full_path(doc: dict[str, Any], cls: type[Message]) -> bytes | None:
    """What the full path makes of `doc`: the serialized message, or None when refused."""
    try:
        message = cls()
        json_format.ParseDict(checked(doc, cls.DESCRIPTOR), message, max_recursion_depth=MAX_DEPTH)
        return message.SerializeToString(deterministic=True)
    except (HttpError, json_format.ParseError, ValueError, TypeError, OverflowError):
        return None


def fast_path(doc: dict[str, Any], cls: type[Message]) -> bytes | None:
    try:
        return cls(**keyword_arguments(doc, cls.DESCRIPTOR)).SerializeToString(deterministic=True)
    except (NotFast, OverflowError, ValueError, TypeError):
        return None


def spellings(message: Message) -> list[dict[str, Any]]:
    """The same message as clients write it: snake_case or lowerCamel names, int64 as strings
    or numbers, enums by name or number."""
    out = []
    for snake in (True, False):
        for ints in (True, False):
            doc = json_format.MessageToDict(
                message,
                preserving_proto_field_name=snake,
                use_integers_for_enums=ints,
                always_print_fields_with_no_presence=ints,
            )
            out.append(doc)
    return out


def mutations(doc: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Copies of `doc` with one value replaced by an odd one, somewhere in the tree."""
    out = []
    for _ in range(12):
        broken = copy.deepcopy(doc)
        node: Any = broken
        for _ in range(4):
            if isinstance(node, dict) and node:
                key = rng.choice(sorted(node))
                if rng.random() < 0.5 or not isinstance(node[key], (dict, list)) or not node[key]:
                    node[key] = rng.choice(ODD_VALUES)
                    break
                node = node[key]
            elif isinstance(node, list) and node:
                index = rng.randrange(len(node))
                if not isinstance(node[index], (dict, list)):
                    node[index] = rng.choice(ODD_VALUES)
                    break
                node = node[index]
            else:
                break
        if isinstance(broken, dict) and rng.random() < 0.2:
            broken["not_a_field"] = 1
        out.append(broken)
    return out


@pytest.mark.parametrize("cls", contract_messages(), ids=lambda c: c.DESCRIPTOR.full_name)
def test_fast_path_agrees_with_the_full_path(cls: type[Message]) -> None:
    rng = random.Random(cls.DESCRIPTOR.full_name)
    accepted = 0
    for _ in range(30):
        message = cls()
        fill(message, rng)
        for doc in spellings(message):
            for candidate in [doc, *mutations(doc, rng)]:
                fast = fast_path(candidate, cls)
                if fast is not None:
                    accepted += 1
                    assert fast == full_path(candidate, cls), candidate
    # Messages with bytes fields always take the full path.
    if compiled_plan(cls.DESCRIPTOR) is not None:
        assert accepted > 0, "the fast path took none of the well-formed requests"


def test_a_plain_batch_takes_the_fast_path() -> None:
    doc = {
        "run_id": "r1",
        "metrics": [{"key": "loss", "value": "NaN", "timestamp": "17", "step": 3}],
        "params": [{"key": "lr", "value": "0.1"}],
    }
    assert fast_path(doc, run_service_pb2.LogBatchRequest) is not None
    message = parse_message(doc, run_service_pb2.LogBatchRequest())
    assert (
        message.metrics[0].timestamp == 17 and message.metrics[0].value != message.metrics[0].value
    )


def test_what_the_fast_path_leaves_is_still_refused_with_its_error() -> None:
    doc = {"run_id": "r1", "runId": "r2"}
    assert fast_path(doc, run_service_pb2.LogBatchRequest) is None
    with pytest.raises(HttpError) as refused:
        parse_message(doc, run_service_pb2.LogBatchRequest())
    assert "given twice" in str(refused.value)
