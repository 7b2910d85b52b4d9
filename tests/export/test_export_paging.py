"""Exports that span several search pages, and the progress line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import trackd
from trackd import _env
from trackd.export import export_runs
from trackd.export.progress import Progress

from tests.export.conftest import run_export


def test_export_spans_pages_in_start_order(
    tracking_uri: str, client: trackd.TrackingClient, unique_name: str, tmp_path: Path
) -> None:
    experiment_id = client.create_experiment(unique_name)

    def create(n: int) -> str:
        run_id = client.create_run(experiment_id, start_time=1_600_000_000_000 + n).info.run_id
        if n % 100 == 0:  # keys spread over both pages: the CSV columns must have them all
            client.log_param(run_id, f"p{n}", str(n))
        return run_id

    with ThreadPoolExecutor(8) as pool:  # the start times fix the order, not the creation
        expected = list(pool.map(create, range(1100)))  # more than one page of 1000
    out = tmp_path / "many.csv"

    done = run_export(tracking_uri, "--experiment", unique_name, "--format", "csv", "-o", str(out))

    assert done.returncode == 0, done.stderr
    with out.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][6:] == sorted(f"p{n}" for n in range(0, 1100, 100))
    assert [r[0] for r in rows[1:]] == expected
    last = rows[1001]  # run 1000, on the second page
    assert last[rows[0].index("p1000")] == "1000"

    # trackd.search_runs (pandas) reads every page too, in MLflow's layout.
    trackd.set_tracking_uri(tracking_uri)
    try:
        frame = trackd.search_runs([experiment_id], order_by=["attributes.start_time ASC"])
    finally:
        _env.set_tracking_uri(None)
    assert list(frame["run_id"]) == expected
    info = ["run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"]
    assert list(frame.columns[:6]) == info
    assert sorted(frame.columns[6:]) == sorted(
        [f"params.p{n}" for n in range(0, 1100, 100)] + ["tags.mlflow.runName", "tags.mlflow.user"]
    )
    assert str(frame["start_time"].dt.tz) == "UTC"
    assert frame["start_time"].iloc[1].value // 1_000_000 == 1_600_000_000_001
    assert frame["params.p1000"].iloc[1000] == "1000"


def test_export_function_reports_progress_on_a_terminal(
    tracking_uri: str, client: trackd.TrackingClient, unique_name: str, tmp_path: Path
) -> None:
    experiment_id = client.create_experiment(unique_name)
    for _ in range(3):
        client.create_run(experiment_id)
    terminal = _Terminal()

    count = export_runs(tracking_uri, unique_name, str(tmp_path / "r.jsonl"), "jsonl", "", terminal)

    assert count == 3
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 3
    assert terminal.getvalue().endswith(f"\rexporting {unique_name} 3 runs\n")
    for line in (tmp_path / "r.jsonl").read_text().splitlines():
        assert json.loads(line)["experiment_id"] == experiment_id


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_with_a_total() -> None:
    terminal = _Terminal()
    progress = Progress("exporting x", 4, terminal)

    progress.advance(1)
    progress.advance(1)
    progress.close()

    assert terminal.getvalue().startswith("\rexporting x [#######.......................] 1/4 runs")
    assert terminal.getvalue().endswith("\rexporting x [###############...............] 2/4 runs\n")


def test_no_progress_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress("exporting x", 4, stream)

    progress.advance(4)
    progress.close()

    assert stream.getvalue() == ""


def test_search_runs_without_pandas_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "from trackd._dataframe import runs_to_dataframe\n"
        "try:\n    runs_to_dataframe([])\nexcept ImportError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert "pip install 'trackd[pandas]'" in done.stdout
