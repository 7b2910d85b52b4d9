"""`trackd runs export` end to end: CSV (MLflow UI's layout), Parquet and JSONL, with and
without a filter, against real servers."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pyarrow.parquet as pq

from tests.export.conftest import Exported, run_export


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_csv_header_and_rows(tracking_uri: str, known_runs: Exported, tmp_path: Path) -> None:
    out = tmp_path / "runs.csv"

    done = run_export(
        tracking_uri, "--experiment", known_runs.experiment, "--format", "csv", "-o", str(out)
    )

    assert done.returncode == 0, done.stderr
    a, b, c = known_runs.run_ids
    user = read_csv(out)[1][4]
    assert user  # the client's user name, whatever it is here
    assert read_csv(out) == [
        [
            "Run ID",
            "Name",
            "Source Type",
            "Source Name",
            "User",
            "Status",
            "batch",
            "lr",
            "opt",
            "acc",
            "f1",
            "loss",
        ],
        [a, "alpha", "LOCAL", "train0.py", user, "FINISHED", "", "0.1", "adam", "0.75", "", "0.5"],
        [b, 'beta, "quoted"', "LOCAL", "train1.py", user, "FAILED", "", "0.01", "", "", "", "NaN"],
        [c, "gamma", "LOCAL", "train2.py", user, "RUNNING", "64", "", "sgd", "1.0", "Infinity", ""],
    ]
    assert "exported 3 runs" in done.stderr


def test_csv_with_a_filter(tracking_uri: str, known_runs: Exported, tmp_path: Path) -> None:
    out = tmp_path / "filtered.csv"

    done = run_export(
        tracking_uri,
        "--experiment",
        known_runs.experiment,
        "--filter",
        "params.opt = 'adam'",
        "--format",
        "csv",
        "-o",
        str(out),
    )

    assert done.returncode == 0, done.stderr
    rows = read_csv(out)
    # Columns come from the matching runs only.
    assert rows[0] == [
        "Run ID",
        "Name",
        "Source Type",
        "Source Name",
        "User",
        "Status",
        "lr",
        "opt",
        "acc",
        "loss",
    ]
    assert [r[0] for r in rows[1:]] == [known_runs.run_ids[0]]


def test_parquet_reads_back_with_types(
    tracking_uri: str, known_runs: Exported, tmp_path: Path
) -> None:
    out = tmp_path / "runs.parquet"

    done = run_export(
        tracking_uri, "--experiment", known_runs.experiment, "--format", "parquet", "-o", str(out)
    )

    assert done.returncode == 0, done.stderr
    table = pq.read_table(out)
    assert table.column_names == [
        "run_id",
        "run_name",
        "experiment_id",
        "status",
        "user",
        "source_type",
        "source_name",
        "start_time",
        "end_time",
        "params.batch",
        "params.lr",
        "params.opt",
        "metrics.acc",
        "metrics.f1",
        "metrics.loss",
    ]
    assert str(table.schema.field("metrics.loss").type) == "double"
    assert str(table.schema.field("start_time").type) == "timestamp[ms, tz=UTC]"
    rows = table.to_pylist()
    assert [r["run_id"] for r in rows] == known_runs.run_ids
    assert [r["status"] for r in rows] == ["FINISHED", "FAILED", "RUNNING"]
    assert [r["params.lr"] for r in rows] == ["0.1", "0.01", None]
    assert rows[0]["metrics.acc"] == 0.75 and math.isnan(rows[1]["metrics.loss"])
    assert rows[2]["metrics.f1"] == math.inf and rows[2]["metrics.loss"] is None
    assert int(rows[0]["start_time"].timestamp() * 1000) == 1_700_000_000_000
    assert rows[2]["end_time"] is None
    assert [r["source_name"] for r in rows] == ["train0.py", "train1.py", "train2.py"]


def test_jsonl_one_run_per_line(tracking_uri: str, known_runs: Exported, tmp_path: Path) -> None:
    out = tmp_path / "runs.jsonl"

    done = run_export(
        tracking_uri, "--experiment", known_runs.experiment, "--format", "jsonl", "-o", str(out)
    )

    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["run_id"] for line in lines] == known_runs.run_ids
    first, second, third = lines
    assert first["params"] == {"lr": "0.1", "opt": "adam"}
    assert first["metrics"] == {"acc": 0.75, "loss": 0.5}
    assert second["metrics"] == {"loss": "NaN"} and second["run_name"] == 'beta, "quoted"'
    assert third["metrics"] == {"acc": 1.0, "f1": "Infinity"}
    assert third["end_time"] is None and first["end_time"] == 1_700_000_100_000
    assert {line["source_type"] for line in lines} == {"LOCAL"}


def test_jsonl_with_a_filter(tracking_uri: str, known_runs: Exported, tmp_path: Path) -> None:
    out = tmp_path / "f.jsonl"

    done = run_export(
        tracking_uri,
        "--experiment",
        known_runs.experiment,
        "--filter",
        "metrics.acc >= 0.75",
        "--format",
        "jsonl",
        "-o",
        str(out),
    )

    assert done.returncode == 0, done.stderr
    ids = [json.loads(line)["run_id"] for line in out.read_text().splitlines()]
    assert ids == [known_runs.run_ids[0], known_runs.run_ids[2]]


def test_unknown_experiment_fails_with_a_message(tracking_uri: str, tmp_path: Path) -> None:
    done = run_export(
        tracking_uri,
        "--experiment",
        "no-such-experiment-xyz",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "x.csv"),
    )

    assert done.returncode == 1
    assert "no experiment named 'no-such-experiment-xyz'" in done.stderr


def test_invalid_filter_fails_with_the_servers_message(
    tracking_uri: str, known_runs: Exported, tmp_path: Path
) -> None:
    done = run_export(
        tracking_uri,
        "--experiment",
        known_runs.experiment,
        "--filter",
        "params.lr > 0.1",
        "--format",
        "jsonl",
        "-o",
        str(tmp_path / "x.jsonl"),
    )

    assert done.returncode == 1
    assert "trackd runs export:" in done.stderr and "filter" in done.stderr


def test_tracking_uri_flag_overrides_the_environment(
    tracking_uri: str, known_runs: Exported, tmp_path: Path
) -> None:
    out = tmp_path / "runs.jsonl"

    done = run_export(
        "grpc://127.0.0.1:1",  # the environment points nowhere
        "--tracking-uri",
        tracking_uri,
        "--experiment",
        known_runs.experiment,
        "--format",
        "jsonl",
        "-o",
        str(out),
    )

    assert done.returncode == 0, done.stderr
    assert len(out.read_text().splitlines()) == 3
