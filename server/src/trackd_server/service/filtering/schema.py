"""What each searchable entity offers the filter language: field kinds, attributes and types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...domain.entities import LifecycleStage, RunStatus
from ...domain.filters import (
    ATTRIBUTE,
    METRIC,
    NUMBER_OPERATORS,
    PARAM,
    STRING_OPERATORS,
    TAG,
)

# Value types.
NUMBER = "number"  # a double (metric values)
INTEGER = "integer"  # a 64-bit integer (times in ms since the epoch)
ID = "id"  # an integer id that clients may also send as a quoted string (experiment ids)
STRING = "string"
ENUM = "enum"  # a string with a fixed set of values, spelled in several accepted ways

OPERATORS: Mapping[str, tuple[str, ...]] = {
    NUMBER: NUMBER_OPERATORS,
    INTEGER: NUMBER_OPERATORS,
    ID: NUMBER_OPERATORS,
    STRING: STRING_OPERATORS,
    ENUM: STRING_OPERATORS,
}

DESCRIPTIONS = {
    NUMBER: "a number",
    INTEGER: "an integer",
    ID: "an integer id",
    STRING: "a string",
    ENUM: "a string",
}


@dataclass(frozen=True)
class AttributeType:
    type: str
    # ENUM only: accepted spelling (upper case) -> stored value.
    choices: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Schema:
    entity: str  # "run" or "experiment", for messages
    kinds: frozenset[str]  # field kinds besides attributes (metrics, params, tags)
    attributes: Mapping[str, AttributeType]
    aliases: Mapping[str, str]  # normalised alternative name -> attribute name
    sortable_kinds: frozenset[str]

    def kind_type(self, kind: str) -> str:
        return NUMBER if kind == METRIC else STRING


def _enum_choices(values: Mapping[str, str], proto_prefix: str) -> dict[str, str]:
    choices: dict[str, str] = {}
    for name, stored in values.items():
        choices[name.upper()] = stored
        choices[f"{proto_prefix}{name.upper()}"] = stored  # the proto enum's spelling
    return choices


STATUS = AttributeType(ENUM, _enum_choices({s.name: s.value for s in RunStatus}, "RUN_STATUS_"))
STAGE = AttributeType(
    ENUM, _enum_choices({s.name: s.value for s in LifecycleStage}, "LIFECYCLE_STAGE_")
)

RUN_SCHEMA = Schema(
    entity="run",
    kinds=frozenset({METRIC, PARAM, TAG}),
    attributes={
        "run_id": AttributeType(STRING),
        "run_name": AttributeType(STRING),
        "status": STATUS,
        "user_id": AttributeType(STRING),
        "artifact_uri": AttributeType(STRING),
        "lifecycle_stage": STAGE,
        "start_time": AttributeType(INTEGER),
        "end_time": AttributeType(INTEGER),
        "experiment_id": AttributeType(ID),
    },
    # MLflow's aliases, compared after lower-casing and turning spaces into underscores.
    aliases={"user": "user_id", "created": "start_time", "run_uuid": "run_id"},
    sortable_kinds=frozenset({METRIC, PARAM, TAG, ATTRIBUTE}),
)

EXPERIMENT_SCHEMA = Schema(
    entity="experiment",
    kinds=frozenset({TAG}),
    attributes={
        "name": AttributeType(STRING),
        "experiment_id": AttributeType(ID),
        "creation_time": AttributeType(INTEGER),
        "last_update_time": AttributeType(INTEGER),
        "lifecycle_stage": STAGE,
    },
    aliases={},
    sortable_kinds=frozenset({ATTRIBUTE}),
)
