"""Starting and stopping real `trackd server` processes on loopback for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int
    http_port: int
    log_path: Path

    @property
    def grpc_uri(self) -> str:
        return f"grpc://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def trackd_command() -> list[str]:
    """The `trackd` executable of the interpreter running the tests."""
    exe = Path(sys.executable).with_name("trackd")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "trackd_server.cli"]


def wait_until_serving(
    port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"trackd server exited early:\n{log.read_text(errors='replace')}"
                )
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"trackd server did not become healthy:\n{log.read_text(errors='replace')}")


def start_server(
    backend_url: str, workdir: Path, *extra_args: str, workers: int = 1, port: int | None = None
) -> ServerProcess:
    """Starts a server on free ports (or on gRPC `port`, to restart one where it was) and
    waits until it serves."""
    port, http_port = port or free_port(), free_port()
    log_path = workdir / f"server-{port}-{time.monotonic_ns()}.log"
    args = [
        *trackd_command(),
        "server",
        "--backend-store-uri",
        backend_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--http-port",
        str(http_port),
        "--default-artifact-root",
        str(workdir / "artifacts"),
        "--workers",
        str(workers),
        *extra_args,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=dict(os.environ)
        )
    wait_until_serving(port, process, log_path)
    return ServerProcess(process, port, http_port, log_path)
