"""Databases and server processes for the benchmark (orchestrator side, trackd's interpreter).

Each server gets its own database on the same PostgreSQL (`make postgres`: role trackd/trackd
on 127.0.0.1:5432). Servers run in their own process group so that stopping one also stops the
workers it forked, and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg

PG_HOST = "127.0.0.1:5432"
PG_USER = "trackd:trackd"


def admin_url() -> str:
    """The maintenance database URL for psycopg (TRACKD_TEST_PG_URL without the driver)."""
    url = os.environ.get("TRACKD_TEST_PG_URL", f"postgresql://{PG_USER}@{PG_HOST}/postgres")
    return url.replace("postgresql+psycopg://", "postgresql://")


def database_url(name: str) -> str:
    """A plain `postgresql://` URL of database `name` (both servers accept this form)."""
    base = admin_url().rsplit("/", 1)[0]
    return f"{base}/{name}"


def recreate_database(name: str) -> str:
    """Drops database `name` if it exists and creates it empty; returns its URL."""
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_version() -> str:
    with psycopg.connect(admin_url()) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process started by the harness, with its log file."""

    name: str
    uri: str
    process: subprocess.Popen[bytes]
    log_path: Path
    http_uri: str = ""  # trackd's HTTP/JSON listener, when it has one

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM to the server's own process group, SIGKILL if it does not stop in time."""
        if self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()
        # Workers of the group that outlived their parent.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _spawn(name: str, command: list[str], log_path: Path, env: dict[str, str] | None) -> Server:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
    return Server(name, "", process, log_path)


def _wait(server: Server, ready: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited during start-up:\n{server.log_tail()}")
        if callable(ready) and ready():
            return
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"{server.name} did not start within {timeout} s:\n{server.log_tail()}")


def start_trackd(
    trackd_bin: Path,
    db_url: str,
    workdir: Path,
    workers: int = 2,
    artifacts_destination: Path | None = None,
) -> Server:
    """`trackd server` on a free port with `workers` processes; waits until it serves. With
    `artifacts_destination`, the server stores artifact bytes there (and roots new experiments
    there); without, under workdir/trackd-artifacts."""
    port, http_port = free_port(), free_port()
    artifact_root = artifacts_destination or workdir / "trackd-artifacts"
    command = [
        str(trackd_bin),
        "server",
        "--backend-store-uri",
        db_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--http-port",
        str(http_port),
        "--workers",
        str(workers),
        "--default-artifact-root",
        str(artifact_root),
        "--log-level",
        "WARNING",
    ]
    if artifacts_destination is not None:
        command += ["--artifacts-destination", str(artifacts_destination)]
    server = _spawn("trackd", command, workdir / "trackd-server.log", None)
    server.uri = f"grpc://127.0.0.1:{port}"
    server.http_uri = f"http://127.0.0.1:{http_port}"
    _wait(server, lambda: "trackd serving at" in server.log_path.read_text(errors="replace"), 180)
    return server


def start_mlflow(
    mlflow_bin: Path,
    db_url: str,
    workdir: Path,
    workers: int | None,
    serve_artifacts: bool = False,
) -> Server:
    """`mlflow server` on a free port, with its default workers or `workers`; waits for /health.
    Artifact bytes go to workdir/mlflow-artifacts; `serve_artifacts` says `--serve-artifacts`
    explicitly (the default of MLflow 3, so that the server proxies them).

    The URL names psycopg2 (what `pip install psycopg2-binary` provides): SQLAlchemy 2.1 maps
    a bare postgresql:// to psycopg 3, which MLflow's environment does not have."""
    port = free_port()
    db_url = db_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    command = [
        str(mlflow_bin),
        "server",
        "--backend-store-uri",
        db_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--artifacts-destination",
        str(workdir / "mlflow-artifacts"),
    ]
    if workers is not None:
        command += ["--workers", str(workers)]
    if serve_artifacts:
        command.append("--serve-artifacts")
    label = f"mlflow-workers-{workers or 'default'}"
    env = {**os.environ, "MLFLOW_TRACKING_URI": ""}
    server = _spawn(label, command, workdir / f"{label}.log", env)
    server.uri = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{server.uri}/health", timeout=2) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    _wait(server, healthy, 300)
    return server
