"""Test-side views of the two artifact stores, and a real S3-compatible server (moto) on
loopback. A test reads the storage directly only to check what the server left there (staged
uploads, files outside a run); every behaviour under test goes through the trackd server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.support.servers import ServerProcess, free_port

BUCKET = "trackd-test-artifacts"
S3_PREFIX = "artifacts-root"
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "trackd-test",
    "AWS_SECRET_ACCESS_KEY": "trackd-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class MotoServer:
    process: subprocess.Popen[bytes]
    endpoint: str
    log_path: Path

    def client(self) -> Any:
        import boto3

        return boto3.session.Session(
            aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name=FAKE_AWS_ENV["AWS_DEFAULT_REGION"],
        ).client("s3", endpoint_url=self.endpoint)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_moto(workdir: Path) -> MotoServer:
    """moto's standalone S3 server as a subprocess; fails (never skips) without it."""
    exe = Path(sys.executable).with_name("moto_server")
    if not exe.exists():
        pytest.fail("moto_server is not installed: `pip install 'moto[server]'` (the dev extra)")
    port = free_port()
    log_path = workdir / f"moto-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(exe), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **FAKE_AWS_ENV},
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"moto_server exited early:\n{log_path.read_text(errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return MotoServer(process, f"http://127.0.0.1:{port}", log_path)
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"moto_server did not start:\n{log_path.read_text(errors='replace')}")


def wait_for(condition: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    """Polls `condition` until it holds (the server cleans up asynchronously after a cancel)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class StoreView:
    """What a test may check directly in the storage behind a server."""

    kind: str

    def staged(self) -> list[str]:
        """Uploads received but not committed (temporary files or multipart uploads)."""
        raise NotImplementedError

    def names_containing(self, text: str) -> list[str]:
        """Every stored file or key whose name contains `text`, anywhere in the storage."""
        raise NotImplementedError

    def run_files(self, artifact_uri: str) -> list[str]:
        """Relative paths of all files under a run's artifact root."""
        raise NotImplementedError

    def corrupt(self, artifact_uri: str, path: str) -> None:
        """Flips the first byte of a stored file, keeping its size and recorded checksum
        (what a failing disk or a careless operator does)."""
        raise NotImplementedError


class LocalView(StoreView):
    kind = "local"

    def __init__(self, destination: Path, scratch: Path) -> None:
        self.destination = destination
        self.scratch = scratch  # everything the test session can see (destination included)

    def staged(self) -> list[str]:
        staging = self.destination / ".trackd-uploads"
        return sorted(p.name for p in staging.iterdir()) if staging.exists() else []

    def names_containing(self, text: str) -> list[str]:
        return sorted(str(p) for p in self.scratch.rglob(f"*{text}*"))

    @staticmethod
    def run_dir(artifact_uri: str) -> Path:
        return Path(unquote(urlsplit(artifact_uri).path))

    def run_files(self, artifact_uri: str) -> list[str]:
        root = self.run_dir(artifact_uri)
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    def corrupt(self, artifact_uri: str, path: str) -> None:
        with (self.run_dir(artifact_uri) / path).open("r+b") as f:
            first = f.read(1)
            f.seek(0)
            f.write(bytes([first[0] ^ 0xFF]))


class S3View(StoreView):
    kind = "s3"

    def __init__(self, moto: MotoServer) -> None:
        self.s3 = moto.client()

    def staged(self) -> list[str]:
        reply = self.s3.list_multipart_uploads(Bucket=BUCKET)
        return sorted(u["Key"] for u in reply.get("Uploads", []))

    def _keys(self, prefix: str = "") -> list[str]:
        keys: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            keys.extend(obj["Key"] for obj in page.get("Contents", []))
        return keys

    def names_containing(self, text: str) -> list[str]:
        return sorted(k for k in self._keys() if text in k)

    def run_files(self, artifact_uri: str) -> list[str]:
        prefix = artifact_uri[len(f"s3://{BUCKET}/") :].rstrip("/") + "/"
        return sorted(k[len(prefix) :] for k in self._keys(prefix))

    def corrupt(self, artifact_uri: str, path: str) -> None:
        key = artifact_uri[len(f"s3://{BUCKET}/") :].rstrip("/") + "/" + path
        stored = self.s3.get_object(Bucket=BUCKET, Key=key)
        body = bytearray(stored["Body"].read())
        body[0] ^= 0xFF
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(body), Metadata=stored["Metadata"])


@dataclass
class ArtifactServer:
    """A trackd server, the view of its artifact storage, and its destination URI."""

    server: ServerProcess
    view: StoreView
    destination: str

    @property
    def kind(self) -> str:
        return self.view.kind
