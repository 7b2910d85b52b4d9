"""What no server can beat on this machine: the cost of the parts every tracking call goes through.

    .venv/bin/python bench/floors.py postgresql://trackd:trackd@127.0.0.1:5432/postgres

Measures, with nothing of trackd in the path:
- a unary gRPC call that does nothing, Python client to a Python server in another process on
  loopback (the transport of every synchronous call), wall time and CPU time of both processes,
  with the thread-pool server trackd uses and with Python gRPC's asyncio server;
- one durable write to PostgreSQL: a single-row INSERT into a table indexed like trackd's
  metrics, committed on its own (a one-statement write), wall time and the backend's CPU;
- the same INSERT between BEGIN and COMMIT, and a 1000-row INSERT committed (the database part
  of log_batch).
With --trackd and --server-pid, also splits the CPU time of trackd's own LogMetric between the
client, the server's processes and PostgreSQL's (all of its processes, WAL writer included).
Then sets them against what "20x MLflow" asks, from the newest results of `make bench` at 10^4
and 10^6 runs in bench/results/ (or --results FILE): a figure whose target is below the sum of the
floors its call must pay cannot reach 20x here, whatever the server does between them.
`docs/benchmarks.md` ("Floors of this machine") quotes its output.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import psycopg

RESULTS = Path(__file__).resolve().parent / "results"
TICKS = os.sysconf("SC_CLK_TCK")
# The size of a LogMetric request: a run id, a short key, a value, a timestamp, a step.
REQUEST = b"x" * 60
BATCH = 1000
GOAL = 20.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def timed(call: Callable[[], object], calls: int, pids: tuple[int, ...]) -> dict[str, float]:
    """Median wall time of `call` and the mean CPU time per call of the processes `pids`."""
    for _ in range(calls // 10):
        call()
    before = sum(cpu_seconds(pid) for pid in pids)
    walls = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        walls.append(time.perf_counter() - started)
    cpu = sum(cpu_seconds(pid) for pid in pids) - before
    return {"wall_ms": statistics.median(walls) * 1e3, "cpu_ms": cpu / calls * 1e3}


def _noop_handler(behaviour: Callable[..., Any]) -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        "floors.Noop", {"Call": grpc.unary_unary_rpc_method_handler(behaviour)}
    )


def _serve_with_threads(port: multiprocessing.Queue, stop: Any) -> None:
    # As `trackd server` runs its servicers: a synchronous server on a thread pool.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((_noop_handler(lambda _req, _ctx: b""),))
    port.put(server.add_insecure_port("127.0.0.1:0"))
    server.start()
    stop.wait()
    server.stop(0)


def _serve_with_asyncio(port: multiprocessing.Queue, stop: Any) -> None:
    # The other server Python's gRPC offers: handlers on an event loop, no thread hand-off.
    async def noop(_request: bytes, _context: Any) -> bytes:
        return b""

    async def serve() -> None:
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((_noop_handler(noop),))
        port.put(server.add_insecure_port("127.0.0.1:0"))
        await server.start()
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)
        await server.stop(0)

    asyncio.run(serve())


def grpc_floor(serve: Callable[[multiprocessing.Queue, Any], None], calls: int) -> dict[str, float]:
    """A unary call that does nothing, from Python's synchronous client (what the training
    loop uses) to a server process started with `serve`."""
    ports: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(ports, stop), daemon=True)
    server.start()
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{ports.get(timeout=30)}")
        call = channel.unary_unary("/floors.Noop/Call")
        return timed(lambda: call(REQUEST), calls, (os.getpid(), server.pid or 0))
    finally:
        stop.set()
        server.join(10)


_TABLE = """
CREATE TABLE IF NOT EXISTS floors_points (
    id bigserial PRIMARY KEY, run_id varchar(32) NOT NULL, key varchar(250) NOT NULL,
    value float8 NOT NULL, step bigint NOT NULL, "timestamp" bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS floors_points_series
    ON floors_points (run_id, key, step, "timestamp");
"""
_INSERT = (
    'INSERT INTO floors_points (run_id, key, value, step, "timestamp") '
    "VALUES (%s, 'loss', %s, %s, 1700000000000)"
)
_INSERT_MANY = (
    'INSERT INTO floors_points (run_id, key, value, step, "timestamp") '
    "SELECT %s, 'loss', v, s, 1700000000000 FROM unnest(%s::float8[], %s::bigint[]) AS t(v, s)"
)


def database_floors(url: str, calls: int) -> dict[str, dict[str, float]]:
    run_id = "f" * 32
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(_TABLE)
        backend = conn.info.backend_pid
        step = iter(range(10**9))
        found = {
            "pg_round_trip": timed(lambda: conn.execute("SELECT 1").fetchone(), calls, (backend,)),
            "pg_write_autocommit": timed(
                lambda: conn.execute(_INSERT, (run_id, 0.5, next(step))), calls, (backend,)
            ),
        }

        def in_transaction() -> None:
            with conn.transaction():
                conn.execute(_INSERT, (run_id, 0.5, next(step)))

        found["pg_write_transaction"] = timed(in_transaction, calls, (backend,))
        values = [0.5] * BATCH

        def batch() -> None:
            first = next(step) * BATCH
            with conn.transaction():
                conn.execute(_INSERT_MANY, (run_id, values, list(range(first, first + BATCH))))

        found["pg_write_1000_rows"] = timed(batch, max(calls // 20, 20), (backend,))
        conn.execute("DROP TABLE floors_points")
    return found


def _processes(match: Callable[[int, list[str]], bool]) -> list[int]:
    """Pids whose (pid, /proc stat fields after the name) satisfy `match`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if match(int(entry.name), fields):
                found.append(int(entry.name))
    return found


def _cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):  # ended meanwhile
            total += cpu_seconds(pid)
    return total


def trackd_log_metric_cpu(uri: str, server_pid: int, calls: int) -> dict[str, float]:
    """Wall time and CPU per synchronous LogMetric of trackd's Python client, per party."""
    from trackd import TrackingClient

    server = [server_pid, *_processes(lambda _pid, fields: int(fields[1]) == server_pid)]
    postgres = _processes(
        lambda pid, _fields: Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"postgres")
    )
    with TrackingClient(uri) as client:
        run_id = client.create_run("0").info.run_id
        for step in range(calls // 10):
            client.log_metric(run_id, "warmup", 1.0, step=step)
        parties = {"client": [os.getpid()], "server": server, "postgres": postgres}
        before = {name: _cpu_of(pids) for name, pids in parties.items()}
        started = time.perf_counter()
        for step in range(calls):
            client.log_metric(run_id, "floors", 1.0, step=step)
        wall = time.perf_counter() - started
        spent = {name: _cpu_of(pids) - before[name] for name, pids in parties.items()}
        client.delete_run(run_id)
    return {
        "wall_ms": wall / calls * 1e3,
        **{f"{k}_cpu_ms": v / calls * 1e3 for k, v in spent.items()},
    }


def newest_results(path: Path | None) -> list[dict[str, Any]]:
    """The given result file, else the newest of each data-set size in bench/results/."""
    if path is not None:
        return [json.loads(path.read_text())]
    newest: dict[str, Path] = {}
    for found in sorted(RESULTS.glob("*runs.json")):
        newest[found.name.split("-")[-1]] = found
    return [json.loads(found.read_text()) for found in newest.values()]


def verdicts(floors: dict[str, dict[str, float]], result: dict[str, Any]) -> list[str]:
    """Each figure whose floor is known, against the 20x target from MLflow's best figure."""
    ratios = result["ratios"]
    # The cheaper of the two servers, on each measure.
    rpc = {
        measure: min(floors["grpc_noop_threads"][measure], floors["grpc_noop_asyncio"][measure])
        for measure in ("wall_ms", "cpu_ms")
    }
    write = floors["pg_write_autocommit"]
    call_floor = rpc["wall_ms"] + write["wall_ms"]
    cpu_per_write = rpc["cpu_ms"] + write["cpu_ms"]
    cores = os.cpu_count() or 1
    steps = result["trackd"]["results"]["training_loop"].get("steps", 2000)
    rows = [
        ("log_metric p50 (ms)", ratios["log_metric"]["mlflow_best"] / GOAL, call_floor, True),
        ("create run p50 (ms)", ratios["create_run"]["mlflow_best"] / GOAL, call_floor, True),
        (
            f"training loop of {steps} synchronous steps (s)",
            ratios["training_loop"]["mlflow_best"] / GOAL,
            call_floor * steps / 1e3,
            True,
        ),
        (
            "log_batch of 1000 (metrics/s)",
            ratios["log_batch"]["mlflow_best"] * GOAL,
            BATCH / ((rpc["wall_ms"] + floors["pg_write_1000_rows"]["wall_ms"]) / 1e3),
            False,
        ),
        (
            f"8 writers on {cores} cores (metrics/s)",
            ratios["concurrent_writers"]["mlflow_best"] * GOAL,
            cores / (cpu_per_write / 1e3),
            False,
        ),
    ]
    # A floor can only rule a target out: a call that pays more than the floor may still miss it.
    lines = [
        "| figure | 20x MLflow's best needs | floor here | ruled out by the floor |",
        "|---|---|---|---|",
    ]
    for label, target, floor, lower_is_better in rows:
        out = floor > target if lower_is_better else floor < target
        bound = "at least" if lower_is_better else "at most"
        verdict = "yes" if out else "no"
        lines.append(f"| {label} | {_number(target)} | {bound} {_number(floor)} | {verdict} |")
    return lines


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database", help="URL of a PostgreSQL database to write a scratch table in")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--results", type=Path, help="a result file of make bench")
    parser.add_argument("--trackd", help="grpc://host:port of a running trackd server")
    parser.add_argument("--server-pid", type=int, help="the pid of that `trackd server`")
    args = parser.parse_args()
    url = args.database.replace("postgresql+psycopg://", "postgresql://")
    floors = {
        "grpc_noop_threads": grpc_floor(_serve_with_threads, args.calls),
        "grpc_noop_asyncio": grpc_floor(_serve_with_asyncio, args.calls),
        **database_floors(url, args.calls),
    }
    print("| part | wall p50 (ms) | CPU per call (ms) |\n|---|---|---|")
    for name, found in floors.items():
        print(f"| {name} | {found['wall_ms']:.3f} | {found['cpu_ms']:.3f} |")
    if args.trackd and args.server_pid:
        split = trackd_log_metric_cpu(args.trackd, args.server_pid, args.calls)
        print(
            "\ntrackd LogMetric, per call (ms): "
            + ", ".join(f"{k} {v:.3f}" for k, v in split.items())
        )
    for result in newest_results(args.results):
        print(f"\nAgainst MLflow in `make bench` of {result['date']} ({result['runs']} runs):\n")
        print("\n".join(verdicts(floors, result)))


if __name__ == "__main__":
    main()
