"""The same bytes whichever client wrote or reads them: files logged from Python (gRPC) are
downloaded byte for byte by R (HTTP), and the other way round, on both store backends.

Java is covered transitively: the Java suite checks its uploads and downloads byte for byte
against the Python client, and every upload from any client is verified by the server against
its SHA-256, so Java <-> R agreement follows from Java <-> Python and Python <-> R."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import trackd

from tests.support.servers import ServerProcess

HERE = Path(__file__).resolve().parent


def r_env() -> dict[str, str]:
    # The Python of the virtualenv may have set variables R must not inherit.
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def run_r(rscript: str, r_lib: Path, server: ServerProcess, run_id: str, *args: str) -> Any:
    command = [rscript, str(HERE / "r_artifacts.R"), str(r_lib), server.http_url, run_id, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=r_env(), timeout=300)
    assert done.returncode == 0, f"R failed ({done.returncode}):\n{done.stderr}"
    return json.loads(done.stdout)


@pytest.fixture()
def client(server: ServerProcess) -> trackd.TrackingClient:
    return trackd.TrackingClient(server.grpc_uri)


@pytest.fixture()
def run_id(client: trackd.TrackingClient, unique_name: str) -> str:
    experiment_id = client.create_experiment(unique_name)
    return client.create_run(experiment_id).info.run_id


def make_tree(root: Path) -> dict[str, bytes]:
    """Files that cross chunk boundaries, are empty, have awkward names, or are compressed
    (gzip as saveRDS writes it, bzip2, xz: R's file() would read them decompressed)."""
    table = b"a,b\n1,2\n" * 1000
    contents = {
        "weights.bin": os.urandom(2 * 1024 * 1024 + 123),
        "empty.txt": b"",
        "sub/ü name 100%.txt": "grüße\n".encode(),
        "sub/deeper/data.csv": table,
        "compressed/model.rds": gzip.compress(table),
        "compressed/data.csv.gz": gzip.compress(table),
        "compressed/data.csv.bz2": bz2.compress(table),
        "compressed/data.csv.xz": lzma.compress(table),
    }
    for rel, data in contents.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return contents


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_python_logs_r_downloads(
    client: trackd.TrackingClient,
    server: ServerProcess,
    run_id: str,
    rscript: str,
    r_lib: Path,
    tmp_path: Path,
) -> None:
    contents = make_tree(tmp_path / "src")
    client.log_artifacts(run_id, tmp_path / "src", artifact_path="from-python")
    client.log_artifact(run_id, tmp_path / "src" / "weights.bin")

    local = run_r(rscript, r_lib, server, run_id, "download", "weights.bin", str(tmp_path / "r1"))
    assert Path(local).read_bytes() == contents["weights.bin"]
    local = run_r(rscript, r_lib, server, run_id, "download", "from-python", str(tmp_path / "r2"))
    assert tree(Path(local)) == contents

    listed = run_r(rscript, r_lib, server, run_id, "list", "from-python/sub")
    python_listed = client.list_artifacts(run_id, "from-python/sub")
    assert listed["path"] == [f.path for f in python_listed]
    assert listed["is_dir"] == [f.is_dir for f in python_listed]


def test_r_logs_python_downloads(
    client: trackd.TrackingClient,
    server: ServerProcess,
    run_id: str,
    rscript: str,
    r_lib: Path,
    tmp_path: Path,
) -> None:
    contents = make_tree(tmp_path / "src")
    written = run_r(rscript, r_lib, server, run_id, "log", str(tmp_path / "src"), "from-r")
    assert sorted(written) == sorted(f"from-r/{rel}" for rel in contents)
    run_r(rscript, r_lib, server, run_id, "log", str(tmp_path / "src" / "weights.bin"), "")

    single = client.download_artifacts(run_id, "weights.bin", tmp_path / "py1")
    assert Path(single).read_bytes() == contents["weights.bin"]
    whole = client.download_artifacts(run_id, "from-r", tmp_path / "py2")
    assert tree(Path(whole)) == contents
    sizes = {f.path: f.file_size for f in client.list_artifacts(run_id, "from-r")}
    assert sizes["from-r/weights.bin"] == len(contents["weights.bin"])


def test_r_and_python_overwrite_each_other_and_agree_on_the_checksum(
    client: trackd.TrackingClient,
    server: ServerProcess,
    run_id: str,
    rscript: str,
    r_lib: Path,
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a" / "shared.bin", tmp_path / "b" / "shared.bin"
    for path in (first, second):
        path.parent.mkdir()
        path.write_bytes(os.urandom(300_000))
    client.log_artifact(run_id, first)
    run_r(rscript, r_lib, server, run_id, "log", str(second), "")
    downloaded = client.download_artifacts(run_id, "shared.bin", tmp_path / "py")
    assert hashlib.sha256(Path(downloaded).read_bytes()).digest() == (
        hashlib.sha256(second.read_bytes()).digest()
    )
    client.log_artifact(run_id, first)
    local = run_r(rscript, r_lib, server, run_id, "download", "shared.bin", str(tmp_path / "r"))
    assert Path(local).read_bytes() == first.read_bytes()
