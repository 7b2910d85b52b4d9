"""docs/http-api.md's curl examples run as written against a live server, in order: a change of
route, field name or answer shape that breaks a documented command fails here."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx

from tests.support.servers import ServerProcess

DOC = Path(__file__).resolve().parents[2] / "docs" / "http-api.md"


def documented_block(heading: str) -> str:
    """The first ```sh block after `heading` in docs/http-api.md."""
    text = DOC.read_text()
    start = text.index(heading)
    found = re.search(r"```sh\n(.*?)```", text[start:], re.S)
    assert found, f"no sh block after {heading!r}"
    return found.group(1)


def run_as_documented(
    script: str, server: ServerProcess, cwd: Path
) -> subprocess.CompletedProcess[str]:
    curl = shutil.which("curl")
    assert curl, "curl is needed to run the documented examples (Debian package curl)"
    # The documented T names the default port; the test server listens on a free one. curl -f
    # turns every HTTP error answer into a failed command, which `set -e` stops at.
    body = script.replace("T=http://127.0.0.1:50052", f"T={server.http_url}", 1)
    assert body != script, "the examples no longer start with T=http://127.0.0.1:50052"
    prelude = f'set -euo pipefail\ncurl() {{ {curl} --fail-with-body "$@"; echo; }}\n'
    return subprocess.run(
        ["bash", "-c", prelude + body],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_curl_examples_run_against_a_live_server(server: ServerProcess, tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"\x00weights" * 4096)
    name = f"fraud-{uuid.uuid4().hex[:8]}"
    script = documented_block("### Examples").replace("fraud-v2", f"{name}-v2")
    script = script.replace('"fraud"', f'"{name}"')
    script = script.replace("name=fraud", f"name={name}").replace("'fr%'", f"'{name}'")
    done = run_as_documented(script, server, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # What the script did is visible through the API: the renamed experiment and its run.
    found = httpx.get(f"{server.http_url}/v1/experiments:getByName", params={"name": f"{name}-v2"})
    assert found.status_code == 200
    assert (tmp_path / "model.bin").read_bytes() == b"\x00weights" * 4096
    assert '"sha256"' in done.stdout


def test_streamed_artifact_examples_run_against_a_live_server(
    server: ServerProcess, tmp_path: Path
) -> None:
    (tmp_path / "model.bin").write_bytes(bytes(range(256)) * 4096)
    create = httpx.post(f"{server.http_url}/v1/experiments", json={"name": uuid.uuid4().hex})
    experiment_id = create.json()["experiment"]["experiment_id"]
    run = httpx.post(f"{server.http_url}/v1/runs", json={"experiment_id": experiment_id})
    run_id = run.json()["run"]["info"]["run_id"]
    script = documented_block("### Examples").split("\n# Experiments", 1)[0]  # T, rid, field
    script += f"\nR={run_id}\n"
    script += documented_block("## Artifacts: streamed bodies")
    done = run_as_documented(script, server, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (tmp_path / "copy.bin").read_bytes() == (tmp_path / "model.bin").read_bytes()
