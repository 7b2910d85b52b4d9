"""What the history timing scripts (perf_client, perf_history) share: their common options, a
throw-away database with a server on it, and medians of repeated calls."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.postgres import create_database, drop_database
from tests.support.servers import ServerProcess, start_server


def perf_arguments() -> argparse.ArgumentParser:
    """--points, --backend and --repeat; scripts add their own options."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--repeat", type=int, default=15)
    return parser


@contextmanager
def throwaway_server(backend: str, workers: int = 1, keep: bool = False) -> Iterator[ServerProcess]:
    """A server on a new database (PostgreSQL from TRACKD_TEST_PG_URL, or an SQLite file),
    stopped afterwards; the PostgreSQL database is dropped unless `keep`, which prints its URL."""
    workdir = Path(tempfile.mkdtemp(prefix="trackd-perf-"))
    admin = os.environ.get("TRACKD_TEST_PG_URL", "")
    name = f"trackd_perf_{uuid.uuid4().hex[:8]}"
    url = create_database(admin, name) if backend == "postgresql" else f"sqlite:///{workdir}/p.db"
    server = start_server(url, workdir, workers=workers)
    try:
        yield server
    finally:
        server.stop()
        if keep:
            print(f"  database kept: {url}")
        elif backend == "postgresql":
            drop_database(admin, name)


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
