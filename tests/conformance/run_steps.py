"""Performs conformance steps with the Python client for another language's runner.

    python tests/conformance/run_steps.py grpc://127.0.0.1:PORT < {"steps": [...], "vars": {...}}

Prints {"vars": {...}} (the variables after the steps, every double tagged as {"$double": ...})
and exits 0, or prints {"failure": "..."} and exits 1 when a step's outcome differs from the
case."""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Run as a script by the Java and R suites: the repository root makes `tests` importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import trackd

from tests.conformance.cases import Mismatch, decode, encode
from tests.conformance.execute import run_step


def main() -> int:
    request = json.load(sys.stdin)
    variables = decode(request["vars"])
    try:
        with trackd.TrackingClient(sys.argv[1]) as client:
            for step in request["steps"]:
                run_step(client, step, variables)
    except Mismatch as e:
        json.dump({"failure": f"python: {e}"}, sys.stdout)
        return 1
    json.dump({"vars": encode(variables)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
