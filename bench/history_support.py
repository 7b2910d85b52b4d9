"""What the history timing scripts (history_client.py, history_grpc.py) share: their common
options, a throw-away database with a server on it, and medians of repeated calls."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import infra


def perf_arguments() -> argparse.ArgumentParser:
    """--points, --backend and --repeat; scripts add their own options."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--repeat", type=int, default=15)
    return parser


@contextmanager
def throwaway_server(backend: str, workers: int = 1, keep: bool = False) -> Iterator[infra.Server]:
    """A server (`.uri` is its grpc:// URI) on a new database (PostgreSQL from
    TRACKD_TEST_PG_URL, or an SQLite file), stopped afterwards; the PostgreSQL database is
    dropped unless `keep`, which prints its URL."""
    workdir = Path(tempfile.mkdtemp(prefix="trackd-perf-"))
    name = f"trackd_perf_{uuid.uuid4().hex[:8]}"
    url = infra.recreate_database(name) if backend == "postgresql" else f"sqlite:///{workdir}/p.db"
    trackd_bin = Path(sys.executable).with_name("trackd")
    server = infra.start_trackd(trackd_bin, url, workdir, workers=workers)
    try:
        yield server
    finally:
        server.stop()
        if keep:
            print(f"  database kept: {url}")
        elif backend == "postgresql":
            infra.drop_database(name)


def median_ms(fn: Callable[[], object], repeat: int, warmup: int = 0) -> float:
    """The median wall time of `repeat` calls of `fn`, after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)
