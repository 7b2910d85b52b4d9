"""Running the server: schema upgrade, worker processes, signals and graceful shutdown."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from types import FrameType
from typing import Any

from .api import http
from .api.server import GrpcServer
from .artifacts import ArtifactStore, LocalArtifactStore, open_artifact_store
from .artifacts.s3 import S3ArtifactStore
from .service.tracking import TrackingServices, build_services
from .store.sql.store import SqlStore

log = logging.getLogger("trackd")
JANITOR_INTERVAL_S = 600
# Allocations between young-generation collections (CPython's default is 700). A search page
# allocates thousands of short-lived objects that reference counting frees; at 700 the
# collector ran about five times per page for nothing.
GC_THRESHOLDS = (20_000, 20, 20)


@dataclass(frozen=True)
class ServerConfig:
    store_uri: str
    host: str
    port: int
    http_port: int
    artifact_root: str
    workers: int = 1
    # Where artifact bytes go (file:///dir or s3://bucket/prefix); empty = artifact_root.
    artifacts_destination: str = ""
    s3_endpoint_url: str = ""
    threads: int = 16
    shutdown_grace: float = 30.0

    @property
    def share_port(self) -> bool:
        """Only --workers shares the ports (SO_REUSEPORT) between processes."""
        return self.workers > 1

    @property
    def grpc_address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def upgrade_database(uri: str) -> None:
    store = SqlStore(uri, pool_size=1, max_overflow=0)
    try:
        store.upgrade()
    finally:
        store.dispose()


def _artifact_store(config: ServerConfig, at_start: bool = False) -> ArtifactStore:
    """The configured artifact store; at start-up, also checks that it is usable and that
    new experiments' locations will be inside it (SystemExit with the reason if not)."""
    destination = config.artifacts_destination or config.artifact_root
    try:
        artifacts = open_artifact_store(destination, config.s3_endpoint_url or None)
        if at_start:
            if not artifacts.contains(config.artifact_root):
                raise ValueError(
                    f"--default-artifact-root {config.artifact_root} is not inside "
                    f"--artifacts-destination {artifacts.destination}"
                )
            if isinstance(artifacts, S3ArtifactStore):
                artifacts.check_reachable()
            if isinstance(artifacts, LocalArtifactStore):
                removed = artifacts.remove_stale_uploads()
                if removed:
                    log.info("removed %d stale staged uploads", removed)
    except ValueError as exc:
        raise SystemExit(f"trackd: {exc}") from None
    return artifacts


def check_ports_free(config: ServerConfig) -> None:
    """SystemExit naming the port when something already listens on the gRPC or HTTP port.

    Probed with a plain bind (no SO_REUSEPORT), which fails even when the other listener
    allowed sharing: with --workers our own processes share the port, but never with a server
    that was there before (two servers on two databases answering in turn)."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    for what, port in (("gRPC", config.port), ("HTTP/JSON", config.http_port)):
        if not port:
            continue
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((config.host, port))
            except OSError as exc:
                raise SystemExit(
                    f"trackd: cannot listen for {what} on {config.host}:{port}: {exc.strerror}"
                    " (is another trackd server running there? choose another port)"
                ) from None


def _prepare(config: ServerConfig) -> None:
    """Schema and shared state, once, before any worker serves."""
    artifacts = _artifact_store(config, at_start=True)
    store = SqlStore(config.store_uri, pool_size=1, max_overflow=0)
    try:
        store.upgrade()
        build_services(store, config.artifact_root, artifacts)
    finally:
        store.dispose()


def _start_http(config: ServerConfig, servicers: list[object]) -> Any:
    if not config.http_port:
        return None
    return http.serve(
        servicers,
        config.host,
        config.http_port,
        max_workers=config.threads,
        share_port=config.share_port,
    )


def _serve(config: ServerConfig, ready: Any = None) -> int:
    """Serves until SIGTERM/SIGINT, then lets in-flight calls finish."""
    store = SqlStore(config.store_uri, pool_size=config.threads, max_overflow=config.threads)
    services = build_services(store, config.artifact_root, _artifact_store(config))
    grpc_server = GrpcServer(services, config.grpc_address, config.threads, config.share_port)
    http_server = _start_http(config, grpc_server.servicers)
    settle_heap()
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    grpc_server.start()
    janitor = threading.Thread(target=_janitor, args=(services, stopping), daemon=True)
    janitor.start()
    if ready is not None:
        ready.set()
    else:
        _announce(config)
    # Wake up regularly rather than block forever, so a signal's handler always gets to run.
    while not stopping.wait(0.5):
        pass
    if http_server is not None:
        http_server.stop(config.shutdown_grace)
    grpc_server.stop(config.shutdown_grace)
    store.dispose()
    log.info("stopped")
    return 0


def settle_heap() -> None:
    """Moves everything start-up allocated (modules, SQLAlchemy metadata, protobuf
    descriptors: about 100k objects) out of the garbage collector's sight, and makes young
    collections rarer. Full collections then scan only what requests allocate: before this a
    full collection paused a request for tens of milliseconds (the benchmark's search p99)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _janitor(services: TrackingServices, stopping: threading.Event) -> None:
    while not stopping.wait(JANITOR_INTERVAL_S):
        try:
            expired = services.expire_request_ids()
            if expired:
                log.info("forgot %d expired request ids", expired)
        except Exception:
            log.exception("request id expiry failed; will retry")


def _announce(config: ServerConfig) -> None:
    print(f"trackd serving at grpc://{config.grpc_address}", flush=True)
    if config.http_port:
        print(f"HTTP/JSON at http://{config.host}:{config.http_port}", flush=True)
    print(f"  export TRACKD_TRACKING_URI=grpc://{config.grpc_address}", flush=True)


def _worker_main(config: ServerConfig, ready: Any) -> None:
    logging.basicConfig(
        level=logging.getLogger().level or logging.INFO,
        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
    )
    sys.exit(_serve(config, ready))


def run_server(config: ServerConfig) -> int:
    check_ports_free(config)
    _prepare(config)
    if config.workers == 1:
        return _serve(config)
    return _run_workers(config)


def _run_workers(config: ServerConfig) -> int:
    """N processes share the port (SO_REUSEPORT); the kernel spreads connections over them.
    Spawned, not forked: gRPC's threads do not survive fork()."""
    context = multiprocessing.get_context("spawn")
    events = [context.Event() for _ in range(config.workers)]
    workers = [
        context.Process(target=_worker_main, args=(config, event), name=f"trackd-worker-{i}")
        for i, event in enumerate(events)
    ]
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.set()
        for worker in workers:
            if worker.pid and worker.is_alive():
                os.kill(worker.pid, signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for worker in workers:
        worker.start()
    for event, worker in zip(events, workers, strict=True):
        while not event.wait(0.2):
            if not worker.is_alive():
                log.error("worker %s exited during start-up", worker.name)
                on_signal(signal.SIGTERM, None)
                break
    if not stopping.is_set():
        _announce(config)
    for worker in workers:
        worker.join()
    return 0 if all(w.exitcode == 0 for w in workers) else 1
