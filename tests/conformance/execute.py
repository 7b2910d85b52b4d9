"""Executes a case's steps with the Python client: the pytest runner for its own cases, and
run_steps.py for the steps that the Java and R runners hand to Python (`"client": "python"`)."""

from __future__ import annotations

from typing import Any

import trackd
from trackd.exceptions import TrackdError

from tests.conformance.cases import Mismatch, decode, match, substitute
from tests.conformance.python_ops import OPERATIONS


def run_step(
    client: trackd.TrackingClient, step: dict[str, Any], variables: dict[str, Any]
) -> None:
    """Performs one step: calls its operation, checks `expect` or `expect_error`, saves the
    result under `save`. Raises Mismatch when the outcome differs from the case."""
    op = step["op"]
    if op not in OPERATIONS:
        raise Mismatch(f"the Python runner has no operation {op!r}")
    args = decode(substitute(step.get("args", {}), variables))
    expected_error = step.get("expect_error")
    try:
        result = OPERATIONS[op](client, args)
    except TrackdError as e:
        if expected_error is None:
            raise Mismatch(f"{op}: unexpected error {e.code} ({e.reason}): {e.message}") from e
        actual = {"code": e.code, "reason": e.reason}
        match(expected_error, actual, f"{op} error")
        return
    if expected_error is not None:
        raise Mismatch(f"{op}: expected error {expected_error}, got result {result!r}")
    if "expect" in step:
        match(decode(substitute(step["expect"], variables)), result, op)
    if "save" in step:
        variables[step["save"]] = result
