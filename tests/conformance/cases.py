"""The language-neutral conformance cases (tests/conformance/cases/*.json) and the rules every
runner applies to them: loading, `${...}` substitution, typed values, and matching a result
against an expectation. The Java (ConformanceCases.java) and R (test-conformance.R) runners
implement the same rules; tests/conformance/README.md is their specification."""

from __future__ import annotations

import json
import math
import re
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "cases"
CLIENTS = ("python", "java", "r")
BACKENDS = ("sqlite", "postgresql")
# The one client every suite can start as a subprocess (each suite has the virtualenv's Python),
# so it is the partner of the cross-language cases.
PARTNER = "python"

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    file: str
    clients: tuple[str, ...]
    unsupported: dict[str, str]
    unsupported_on: dict[str, str]
    steps: list[dict[str, Any]] = field(default_factory=list)

    def unsupported_reason(self, client: str, backend: str) -> str | None:
        """Why `client` does not run this case on `backend`; None when it does."""
        if client not in self.clients:
            return f"the case applies only to {', '.join(self.clients)}"
        if backend in self.unsupported_on:
            return f"not on {backend}: {self.unsupported_on[backend]}"
        return self.unsupported.get(client)


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    """Every case of every file, in file order; names are unique across files."""
    cases: list[Case] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.json")):
        for raw in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            name = raw["name"]
            if name in seen:
                raise ValueError(f"{path.name}: case name {name!r} is used twice")
            seen.add(name)
            clients = tuple(raw.get("clients", CLIENTS))
            unsupported = dict(raw.get("unsupported", {}))
            for client in (*clients, *unsupported):
                if client not in CLIENTS:
                    raise ValueError(f"{path.name}: case {name!r} names unknown client {client!r}")
            unsupported_on = dict(raw.get("unsupported_on", {}))
            for backend in unsupported_on:
                if backend not in BACKENDS:
                    raise ValueError(
                        f"{path.name}: case {name!r} names unknown backend {backend!r}"
                    )
            for step in raw["steps"]:
                if step.get("client", PARTNER) != PARTNER:
                    raise ValueError(f"{name}: a step's client may only be {PARTNER!r}")
            cases.append(
                Case(
                    name,
                    raw["description"],
                    path.name,
                    clients,
                    unsupported,
                    unsupported_on,
                    raw["steps"],
                )
            )
    return cases


class Mismatch(AssertionError):
    """A result that does not match its expectation."""


# ------------------------------------------------------------------------------ typed values


def decode(value: Any) -> Any:
    """A case's JSON value as a Python value: {"$double": "..."} is a float (NaN, -0.0, 17
    digits), {"$int": "..."} an integer too large for every JSON parser."""
    if isinstance(value, dict):
        if set(value) == {"$double"}:
            return float(value["$double"])
        if set(value) == {"$int"}:
            return int(value["$int"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def encode(value: Any) -> Any:
    """The inverse of `decode`, for values passed between runners: every float is tagged."""
    if isinstance(value, float):
        # The spellings Java's Double.parseDouble and R's as.numeric read too.
        if math.isnan(value):
            return {"$double": "NaN"}
        if math.isinf(value):
            return {"$double": "Infinity" if value > 0 else "-Infinity"}
        return {"$double": repr(value)}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def substitute(value: Any, variables: dict[str, Any]) -> Any:
    """Replaces `${name}` and `${name.field}`: a string that is only a reference becomes the
    saved value itself (any type); a reference inside a longer string is spliced in as text."""
    if isinstance(value, str):
        whole = _REF.fullmatch(value)
        if whole:
            return _lookup(whole.group(1), variables)
        return _REF.sub(lambda m: str(_lookup(m.group(1), variables)), value)
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    return value


def _lookup(path: str, variables: dict[str, Any]) -> Any:
    name, *fields = path.split(".")
    if name not in variables:
        raise KeyError(f"no saved variable {name!r}")
    value = variables[name]
    for f in fields:
        value = value[int(f)] if isinstance(value, list) else value[f]
    return value


# ---------------------------------------------------------------------------------- matching


def _bits(x: float) -> bytes:
    return struct.pack(">d", x)


def match(expected: Any, actual: Any, where: str = "result") -> None:
    """Objects match by subset (every expected key, recursively); lists by length and element;
    doubles bit for bit (NaN equals NaN, -0.0 differs from 0.0); integers exactly."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Mismatch(f"{where}: expected an object, got {actual!r}")
        for key, value in expected.items():
            if key not in actual:
                raise Mismatch(f"{where}: no field {key!r} in {sorted(actual)}")
            match(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            raise Mismatch(f"{where}: expected {len(expected)} items, got {actual!r}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            match(e, a, f"{where}[{i}]")
    elif isinstance(expected, float):
        if not isinstance(actual, (int, float)) or isinstance(actual, bool):
            raise Mismatch(f"{where}: expected the double {expected!r}, got {actual!r}")
        if _bits(expected) != _bits(float(actual)) and not (
            math.isnan(expected) and math.isnan(actual)
        ):
            raise Mismatch(f"{where}: expected the double {expected!r}, got {float(actual)!r}")
    elif isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if type(actual) is not type(expected) or actual != expected:
            raise Mismatch(f"{where}: expected {expected!r}, got {actual!r}")
    elif isinstance(expected, int):
        if isinstance(actual, bool) or not isinstance(actual, int) or actual != expected:
            raise Mismatch(f"{where}: expected the integer {expected}, got {actual!r}")
    else:
        raise TypeError(f"{where}: unexpected value {expected!r} in a case")


def new_uid() -> str:
    """The value of `${uid}`: unique per execution of a case, so names never collide."""
    return uuid.uuid4().hex[:12]
