"""docs/python-client.md shows the quickstart that this test runs against a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import trackd

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = Path(__file__).parent / "examples" / "quickstart.py"


def test_docs_show_the_quickstart_unchanged() -> None:
    doc = (REPO / "docs" / "python-client.md").read_text()
    assert f"```python\n{QUICKSTART.read_text()}```" in doc


def test_quickstart_runs(tracking_uri: str, tmp_path: Path) -> None:
    env = {**os.environ, "TRACKD_TRACKING_URI": tracking_uri}
    result = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "FINISHED 0.01 3 loss points"
    client = trackd.TrackingClient(tracking_uri)
    experiment = client.get_experiment_by_name("quickstart")
    assert experiment is not None
    runs = list(client.search_runs(experiment.experiment_id, "tags.language = 'python'"))
    assert runs and runs[0].data.metrics["loss"] == 1.0 / 3
