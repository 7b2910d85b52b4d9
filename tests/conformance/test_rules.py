"""The matching and substitution rules of the cases (tests/conformance/README.md) fail where
they must: a runner built on them cannot pass a case whose values differ."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tests.conformance.cases import Mismatch, decode, encode, load_cases, match, substitute


def test_doubles_match_bit_for_bit() -> None:
    match(math.nan, math.nan)
    match(0.30000000000000004, 0.1 + 0.2)
    with pytest.raises(Mismatch):
        match(-0.0, 0.0)
    with pytest.raises(Mismatch):
        match(0.3, 0.1 + 0.2)
    with pytest.raises(Mismatch):
        match(1.0, "1.0")


def test_objects_match_by_subset_and_lists_by_length() -> None:
    match({"a": 1}, {"a": 1, "b": 2})
    with pytest.raises(Mismatch):
        match({"a": 1, "c": 3}, {"a": 1, "b": 2})
    with pytest.raises(Mismatch):
        match([{"a": 1}], [{"a": 1}, {"a": 2}])
    with pytest.raises(Mismatch):
        match(None, {})
    with pytest.raises(Mismatch):
        match(1, True)


def test_typed_values_and_references() -> None:
    assert decode({"$int": "9223372036854775807"}) == 2**63 - 1
    assert math.copysign(1, decode({"$double": "-0.0"})) < 0
    assert decode(encode([math.nan, -math.inf]))[1] == -math.inf
    variables = {"run": {"run_id": "abc"}, "n": 5}
    assert substitute("${n}", variables) == 5
    assert substitute("id-${run.run_id}-${n}", variables) == "id-abc-5"
    with pytest.raises(KeyError):
        substitute("${missing}", variables)


def test_every_rpc_has_an_operation_used_by_a_case() -> None:
    # The operation each RPC of proto/trackd/v1 maps to (README, "Operations").
    rpc_operations = {
        "CreateExperiment": "create_experiment",
        "GetExperiment": "get_experiment",
        "GetExperimentByName": "get_experiment_by_name",
        "SearchExperiments": "search_experiments",
        "UpdateExperiment": "rename_experiment",
        "DeleteExperiment": "delete_experiment",
        "RestoreExperiment": "restore_experiment",
        "SetExperimentTag": "set_experiment_tag",
        "DeleteExperimentTag": "delete_experiment_tag",
        "CreateRun": "create_run",
        "GetRun": "get_run",
        "UpdateRun": "update_run",
        "DeleteRun": "delete_run",
        "RestoreRun": "restore_run",
        "SetRunTag": "set_tag",
        "DeleteRunTag": "delete_tag",
        "LogParam": "log_param",
        "LogBatch": "log_batch",
        "SearchRuns": "search_runs",
        "LogMetric": "log_metric",
        "GetMetricHistory": "get_metric_history",
        "GetMetricHistoryBulk": "get_metric_history_bulk",
        "UploadArtifact": "upload_artifact",
        "DownloadArtifact": "download_artifact",
        "ListArtifacts": "list_artifacts",
    }

    proto_dir = Path(__file__).resolve().parents[2] / "proto" / "trackd" / "v1"
    rpcs = {
        m.group(1)
        for p in proto_dir.glob("*_service.proto")
        for m in re.finditer(r"^\s*rpc (\w+)\(", p.read_text(), re.M)
    }
    assert rpcs == set(rpc_operations)
    used = {step["op"] for case in load_cases() for step in case.steps}
    assert set(rpc_operations.values()) <= used


def test_every_documented_reason_has_a_case() -> None:

    errors_md = (Path(__file__).resolve().parents[2] / "docs" / "errors.md").read_text()
    table = errors_md.split("## Reasons", 1)[1].split("\n## ", 1)[0]
    reasons = {
        r
        for line in table.splitlines()
        if line.startswith("| `")
        for r in re.findall(r"`([A-Z0-9_]+)`", line.split("|")[1])
    }
    cases = load_cases()
    expected = {
        str(step["expect_error"]["reason"])
        for case in cases
        for step in case.steps
        if "expect_error" in step
    }
    described = " ".join(c.description for c in cases if not c.steps)
    missing = {r for r in reasons if r not in expected and r not in described}
    assert not missing, f"reasons of docs/errors.md without a case: {sorted(missing)}"
