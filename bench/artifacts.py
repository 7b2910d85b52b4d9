"""The artifact benchmark: one large file uploaded and downloaded over loopback through trackd
and through the real MLflow server, each with its own Python client, beside a plain local copy.

This module has two roles. bench/run.py calls `run()` (orchestrator, trackd's interpreter): it
writes the file, times the plain copy, starts each server and runs

    <target's python> bench/artifacts.py --target trackd|mlflow --uri ... --file ... \\
        --sha256 ... --reps 3 --server-pid PID --scratch DIR

which times each client call, watches the server's memory and checks every download's
SHA-256, then prints one JSON object on stdout. That second role imports only the standard
library and the target's adapter (MLflow's environment has no psycopg), so the orchestrator's
imports are made inside `run()`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import stats

MIB = 1024**2
FULL_MIB = 1024
QUICK_MIB = 64
CHUNK = 8 * MIB
# Orientation goals: trackd's rate over MLflow's, and over a plain local copy.
GOAL_VS_MLFLOW = 3.0
GOAL_VS_COPY = 0.5  # within 2x of the copy
# Transfers of one target stop repeating once this many seconds went by (after at least one
# round trip), so that a slow server gets fewer repetitions instead of stretching the run.
BUDGET_S = 150.0

# ------------------------------------------------------------------ client role (any interpreter)


def _status_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _process_tree(root: int) -> list[int]:
    """`root` and every process descended from it (a server's workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as f:
                # The command name may hold spaces or ")": the ppid follows the last ")".
                fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending += children.get(pid, [])
    return tree


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class ServerMemory:
    """Peak resident memory of each process of a server during a block: the kernel's
    high-water mark VmHWM (reset at the start by writing 5 to /proc/<pid>/clear_refs) and, as
    a cross-check, VmRSS sampled every 50 ms. The process that served the transfer is the one
    whose memory grew most; `total` adds up every process's own peak.

    Also the CPU time the block cost: the server's (every process of it) and this client
    process's own (the transfer, plus the sampling, which is negligible). CPU time is what
    the other agents on a shared machine cannot inflate much, unlike the transfer rate."""

    def __init__(self, root_pid: int) -> None:
        self.pids = _process_tree(root_pid)
        self.baseline: dict[int, int] = {}
        self.peak: dict[int, int] = {}
        self.server_cpu_s = 0.0
        self.client_cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _server_cpu(self) -> float:
        total = 0.0
        for pid in self.pids:
            with contextlib.suppress(OSError):
                total += _cpu_seconds(pid)
        return total

    def _read(self, field: str) -> dict[int, int]:
        found = {}
        for pid in self.pids:
            with contextlib.suppress(OSError):  # a process may end meanwhile
                found[pid] = _status_kib(pid, field)
        return found

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            for pid, kib in self._read("VmRSS").items():
                self.peak[pid] = max(self.peak.get(pid, 0), kib)

    def __enter__(self) -> ServerMemory:
        for pid in self.pids:
            with contextlib.suppress(OSError), open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
        self.baseline = self._read("VmRSS")
        self._thread.start()
        self.server_cpu_s, self.client_cpu_s = self._server_cpu(), _own_cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server_cpu_s = self._server_cpu() - self.server_cpu_s
        self.client_cpu_s = _own_cpu_seconds() - self.client_cpu_s
        self._stop.set()
        self._thread.join()
        for pid, kib in self._read("VmHWM").items():
            self.peak[pid] = max(self.peak.get(pid, 0), kib)

    def summary(self, size: int) -> dict[str, Any]:
        """The peaks, and the CPU time per GiB of the `size` bytes moved."""
        growth = {pid: kib - self.baseline.get(pid, kib) for pid, kib in self.peak.items()}
        serving = max(growth, key=lambda pid: growth[pid])
        return {
            "serving_peak_mib": round(self.peak[serving] / 1024, 1),
            "serving_growth_mib": round(growth[serving] / 1024, 1),
            "total_peak_mib": round(sum(self.peak.values()) / 1024, 1),
            "processes": len(self.peak),
            "server_cpu_s_per_gib": round(self.server_cpu_s / (size / 2**30), 2),
            "client_cpu_s_per_gib": round(self.client_cpu_s / (size / 2**30), 2),
        }


def sha256_of(path: str | Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _summary(rates: list[float], memory: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    summary = stats.rate_summary(rates, "MB/s")
    if memory:
        summary["memory"] = memory
        for key in ("serving_peak_mib", "serving_growth_mib", "total_peak_mib"):
            summary[key] = max(m[key] for m in memory)
        for key in ("server_cpu_s_per_gib", "client_cpu_s_per_gib"):
            summary[key] = round(statistics.median(m[key] for m in memory), 2)
    return summary


def _timed(size: int, call: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """MB/s (10^6 bytes per second) of `call(*args)` moving `size` bytes, and its value.
    Written-back data of earlier steps is flushed first (sync, untimed) so that no step pays
    for another's."""
    os.sync()
    started = time.perf_counter()
    value = call(*args)
    return size / (time.perf_counter() - started) / 1e6, value


def transfer(args: argparse.Namespace) -> dict[str, Any]:
    """Uploads `--file` --reps times (into rep<i>/ of one run) and downloads each copy back,
    timing each client call and the server's memory; checks every download's SHA-256."""
    import workload  # the adapters, under this interpreter

    target = workload.make_target(args.target, args.uri)
    experiment = target.experiment_id(f"bench-artifacts-{uuid.uuid4().hex[:8]}", True)
    run_id = target.create_run(experiment)
    size = os.path.getsize(args.file)
    name = os.path.basename(args.file)
    scratch = os.path.join(args.scratch, args.target)
    os.makedirs(scratch, exist_ok=True)
    # Untimed warm-up through the same calls: imports, connections, the server's first request.
    warm = os.path.join(scratch, "warm-up.bin")
    with open(warm, "wb") as f:
        f.write(os.urandom(8 * MIB))
    target.log_artifact(run_id, warm, "warm-up")
    target.download_artifact(run_id, "warm-up/warm-up.bin", os.path.join(scratch, "warm-dl"))
    up, down, up_memory, down_memory, identical = [], [], [], [], []
    began = time.monotonic()
    for rep in range(args.reps):
        if rep and time.monotonic() - began > args.budget_s:
            workload.log(f"{args.target}: {rep} of {args.reps} repetitions (time budget)")
            break
        workload.log(f"{args.target}: upload {rep + 1}/{args.reps} ({size / MIB:,.0f} MiB)")
        with ServerMemory(args.server_pid) as memory:
            rate, _ = _timed(size, target.log_artifact, run_id, args.file, f"rep{rep}")
        up.append(rate)
        up_memory.append(memory.summary(size))
        workload.log(f"{args.target}: download {rep + 1}/{args.reps}")
        destination = os.path.join(scratch, f"dl{rep}")
        with ServerMemory(args.server_pid) as memory:
            rate, local = _timed(
                size, target.download_artifact, run_id, f"rep{rep}/{name}", destination
            )
        down.append(rate)
        down_memory.append(memory.summary(size))
        identical.append(os.path.getsize(local) == size and sha256_of(local) == args.sha256)
        shutil.rmtree(destination)
    target.close()
    return {
        "target": args.target,
        "run_id": run_id,
        "upload": _summary(up, up_memory),
        "download": _summary(down, down_memory),
        "sha256_identical": all(identical),
        "sha256_checks": len(identical),
    }


# ---------------------------------------------------------------- orchestrator (trackd's Python)


def write_random(path: Path, size: int) -> str:
    """Writes `size` random bytes to `path` in chunks (never whole in memory); their SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as f:
        for offset in range(0, size, CHUNK):
            chunk = os.urandom(min(CHUNK, size - offset))
            digest.update(chunk)
            f.write(chunk)
    return digest.hexdigest()


def plain_copy(source: Path, reps: int) -> dict[str, Any]:
    """`shutil.copyfile` of the file beside itself, with a warm page cache, no fsync."""
    copy = source.with_name("copy.bin")
    size = source.stat().st_size
    rates = []
    for _ in range(reps):
        rates.append(_timed(size, shutil.copyfile, source, copy)[0])
        copy.unlink()
    return _summary(rates)


def _client(python: Path, *args: str) -> dict[str, Any]:
    """Runs the client role under `python`; its stderr passes through, stdout is the result."""
    done = subprocess.run(
        [str(python), str(Path(__file__).resolve()), *args],
        stdout=subprocess.PIPE,
        check=True,
        cwd=Path(__file__).resolve().parent,
    )
    return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    """Per direction: trackd's median rate over MLflow's and over the plain copy's."""
    out: dict[str, Any] = {}
    copy = result["copy"]["median"]
    for direction in ("upload", "download"):
        ours = result["trackd"][direction]["median"]
        entry = {"vs_copy": round(ours / copy, 2)}
        if "mlflow" in result:
            entry["vs_mlflow"] = round(ours / result["mlflow"][direction]["median"], 1)
        out[direction] = entry
    return out


def run(args: argparse.Namespace, workdir: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """The whole artifact benchmark; the file and every stored copy are deleted at the end."""
    import infra  # psycopg: orchestrator side only

    size = (args.artifact_mib or (QUICK_MIB if args.quick else FULL_MIB)) * MIB
    reps = args.artifact_reps or (1 if args.quick else 3)
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "payload.bin"
    log(f"artifacts: writing {size / MIB:,.0f} MiB of random bytes to {source}")
    digest = write_random(source, size)
    common = ["--file", str(source), "--sha256", digest, "--reps", str(reps)]
    common += ["--budget-s", str(BUDGET_S)]
    common += ["--scratch", str(workdir / "downloads")]
    result: dict[str, Any] = {"bytes": size, "reps": reps, "servers": {}}
    stores = [workdir / "trackd-store", workdir / "mlflow-artifacts", workdir / "downloads"]
    try:
        log(f"artifacts: plain copy x{reps}")
        result["copy"] = plain_copy(source, reps)
        trackd_python = Path(sys.executable)
        server = infra.start_trackd(
            trackd_python.with_name("trackd"),
            f"sqlite:///{workdir / 'trackd.db'}",
            workdir,
            workers=args.trackd_workers,
            artifacts_destination=stores[0],
        )
        result["servers"]["trackd"] = (
            f"trackd server --backend-store-uri sqlite:///... --workers {args.trackd_workers} "
            "--artifacts-destination <temp dir>"
        )
        try:
            pid = str(server.process.pid)
            target = ["--target", "trackd", "--uri", server.uri, "--server-pid", pid]
            result["trackd"] = _client(trackd_python, *target, *common)
        finally:
            server.stop()
            shutil.rmtree(stores[0], ignore_errors=True)
        if not args.skip_mlflow:
            mlflow_python = Path(args.mlflow_python)
            server = infra.start_mlflow(
                mlflow_python.with_name("mlflow"),
                f"sqlite:///{workdir / 'mlflow.db'}",
                workdir,
                None,
                serve_artifacts=True,
            )
            result["servers"]["mlflow"] = (
                "mlflow server --backend-store-uri sqlite:///... --serve-artifacts "
                "--artifacts-destination <temp dir> (default workers)"
            )
            try:
                pid = str(server.process.pid)
                target = ["--target", "mlflow", "--uri", server.uri, "--server-pid", pid]
                result["mlflow"] = _client(mlflow_python, *target, *common)
            finally:
                server.stop()
    finally:
        source.unlink(missing_ok=True)
        source.with_name("copy.bin").unlink(missing_ok=True)
        for store in stores:
            shutil.rmtree(store, ignore_errors=True)
    result["ratios"] = ratios(result)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="one target's artifact transfers (client role)")
    parser.add_argument("--target", choices=("trackd", "mlflow"), required=True)
    parser.add_argument("--uri", required=True)
    parser.add_argument("--file", required=True, help="the local file to upload")
    parser.add_argument("--sha256", required=True, help="its SHA-256, to check downloads")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--budget-s", type=float, default=BUDGET_S, help="fewer reps after this")
    parser.add_argument("--server-pid", type=int, required=True, help="watched with children")
    parser.add_argument("--scratch", required=True, help="a directory for downloads")
    return parser


def main() -> int:
    args = _parser().parse_args()
    # Clients may print: stdout carries only the result.
    with contextlib.redirect_stdout(sys.stderr):
        result = transfer(args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
