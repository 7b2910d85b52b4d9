"""Input rules and limits. Every error names the field and the limit it broke."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..domain.entities import Metric, Param, Tag
from ..domain.errors import InvalidArgument

MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_RUN_TAG_VALUE_LENGTH = 8000
MAX_EXPERIMENT_TAG_VALUE_LENGTH = 20000
MAX_EXPERIMENT_NAME_LENGTH = 500
MAX_RUN_NAME_LENGTH = 250
MAX_USER_ID_LENGTH = 256
MAX_ARTIFACT_LOCATION_LENGTH = 2000
MAX_REQUEST_ID_LENGTH = 64
MAX_BATCH_METRICS = 1000
MAX_BATCH_PARAMS = 100
MAX_BATCH_TAGS = 100
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")
_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def invalid(field: str, message: str, reason: str = "INVALID_ARGUMENT") -> InvalidArgument:
    return InvalidArgument(f"{field}: {message}", reason=reason, metadata={"field": field})


def experiment_name(name: str, field: str = "name") -> str:
    """Normalises (Unicode NFC, surrounding whitespace removed) and checks an experiment name,
    so that look-alike names cannot be told apart only by their encoding or padding."""
    normalised = unicodedata.normalize("NFC", name).strip()
    if not normalised:
        raise invalid(field, "must not be empty")
    if len(normalised) > MAX_EXPERIMENT_NAME_LENGTH:
        raise invalid(
            field,
            f"is {len(normalised)} characters, more than the limit of {MAX_EXPERIMENT_NAME_LENGTH}",
        )
    no_nul(normalised, field)
    return normalised


def experiment_id(value: str, field: str = "experiment_id") -> int:
    if not value:
        raise invalid(field, "is required")
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise invalid(field, f"{value[:80]!r} is not an experiment id (a decimal number)")
    return int(value)


def run_id(value: str, field: str = "run_id") -> str:
    if not value:
        raise invalid(field, "is required")
    if not _RUN_ID.match(value):
        raise invalid(field, f"{value[:80]!r} is not a run id (32 lowercase hex characters)")
    return value


def request_id(value: str) -> str:
    if value and not _REQUEST_ID.match(value):
        raise invalid(
            "request_id",
            f"must be 1 to {MAX_REQUEST_ID_LENGTH} printable ASCII characters without spaces",
        )
    return value


def no_nul(value: str, field: str) -> None:
    # PostgreSQL text cannot hold NUL; refuse it everywhere so both stores agree.
    if "\x00" in value:
        raise invalid(field, "must not contain NUL characters")


def key(value: str, field: str) -> str:
    if not value or not value.strip():
        raise invalid(field, "must not be empty")
    if len(value) > MAX_KEY_LENGTH:
        raise invalid(field, f"is {len(value)} characters, more than the limit of {MAX_KEY_LENGTH}")
    if _CONTROL.search(value):
        raise invalid(field, f"{value[:80]!r} must not contain control characters")
    return value


def text(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise invalid(field, f"is {len(value)} characters, more than the limit of {limit}")
    no_nul(value, field)
    return value


def optional_name(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise invalid(field, f"is {len(value)} characters, more than the limit of {limit}")
    if _CONTROL.search(value):
        raise invalid(field, "must not contain control characters")
    return value


def timestamp(value: int, field: str) -> int:
    if value < 0 or value > INT64_MAX:
        raise invalid(field, f"{value} is not a timestamp in milliseconds since the epoch (>= 0)")
    return value


def run_tag(tag: Tag, field: str = "tag") -> Tag:
    key(tag.key, f"{field}.key")
    text(tag.value, f"{field} {tag.key!r} value", MAX_RUN_TAG_VALUE_LENGTH)
    return tag


def experiment_tag(tag: Tag, field: str = "tag") -> Tag:
    key(tag.key, f"{field}.key")
    text(tag.value, f"{field} {tag.key!r} value", MAX_EXPERIMENT_TAG_VALUE_LENGTH)
    return tag


def param(p: Param, field: str = "param") -> Param:
    key(p.key, f"{field}.key")
    text(p.value, f"{field} {p.key!r} value", MAX_PARAM_VALUE_LENGTH)
    return p


def metric(m: Metric, field: str = "metric") -> Metric:
    key(m.key, f"{field}.key")
    timestamp(m.timestamp, f"{field} {m.key!r} timestamp")
    if not INT64_MIN <= m.step <= INT64_MAX:
        raise invalid(f"{field} {m.key!r} step", "is outside the 64-bit integer range")
    return m


def batch(metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[Tag]) -> None:
    """Checks a whole batch before anything is written; errors name the item by index."""
    for field, items, limit in (
        ("metrics", metrics, MAX_BATCH_METRICS),
        ("params", params, MAX_BATCH_PARAMS),
        ("tags", tags, MAX_BATCH_TAGS),
    ):
        if len(items) > limit:
            raise invalid(
                field,
                f"a batch holds at most {limit} {field}, this one has {len(items)}",
                reason="BATCH_TOO_LARGE",
            )
    for i, m in enumerate(metrics):
        metric(m, f"metrics[{i}]")
    seen: dict[str, str] = {}
    for i, p in enumerate(params):
        param(p, f"params[{i}]")
        if p.key in seen and seen[p.key] != p.value:
            raise invalid(
                f"params[{i}]",
                f"param {p.key!r} appears twice in the batch with different values "
                f"{seen[p.key]!r} and {p.value!r}",
                reason="PARAM_VALUE_CHANGED",
            )
        seen[p.key] = p.value
    for i, t in enumerate(tags):
        run_tag(t, f"tags[{i}]")
