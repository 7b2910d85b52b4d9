"""`make bench`: trackd against the real MLflow server on the same PostgreSQL.

    .venv/bin/python bench/run.py [--runs 10000] [--quick] [--skip-mlflow] ...

For each server: a fresh database, the server, the searched runs loaded (through the API, plus
verified COPY beyond --api-load-max), VACUUM ANALYZE, then bench/workload.py under the
server's own client interpreter. MLflow is measured with its default workers and with
--workers 1. Writes bench/results/<date>-<runs>runs.json and the generated section of
docs/benchmarks.md, and prints the result as JSON.

Then the artifact benchmark (bench/artifacts.py: a 1 GiB file up and down through each server,
beside a plain copy) unless --skip-artifacts; `--artifacts-only` (`make bench-artifacts`) runs
just that part. It writes bench/results/<date>-artifacts.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import artifacts
import bulk_load
import explain
import infra
import report
import report_transports

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORKLOAD = BENCH / "workload.py"
MLFLOW_WORKERS = {"default": None, "workers-1": 1}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def workload(python: Path, *args: str) -> dict[str, Any]:
    """Runs bench/workload.py under `python`; its stderr passes through, stdout is the result."""
    done = subprocess.run(
        [str(python), str(WORKLOAD), *args], stdout=subprocess.PIPE, check=True, cwd=BENCH
    )
    return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def load(
    target: str, python: Path, uri: str, db_url: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Loads the searched runs: all through the API up to --api-load-max, else the first
    --reference-runs through the API and the rest by verified COPY. Then VACUUM ANALYZE."""
    api_runs = args.runs if args.runs <= args.api_load_max else min(args.reference_runs, args.runs)
    log(f"{target}: loading {api_runs:,} runs through the API ({args.load_procs} clients)")
    loaded = workload(
        python,
        "populate",
        "--target",
        target,
        "--uri",
        uri,
        "--count",
        str(api_runs),
        "--procs",
        str(args.load_procs),
    )
    how = (
        f"{api_runs:,} runs through the API ({args.load_procs} client processes, one "
        f"create_run and one log_batch per run) in {loaded['seconds']:.0f} s"
    )
    info: dict[str, Any] = {"api": loaded}
    if args.runs > api_runs:
        log(f"{target}: COPY of {args.runs - api_runs:,} more runs")
        info["copy"] = bulk_load.copy_runs(db_url, target, api_runs, args.runs)
        how += (
            f"; the other {args.runs - api_runs:,} by PostgreSQL COPY into the same tables, "
            f"row for row what the API wrote for the first {api_runs:,} (checked cell by cell "
            f"before copying), in {info['copy']['copy_seconds']:.0f} s"
        )
    else:
        bulk_load.vacuum(db_url)
    info["how"] = how + "; then VACUUM ANALYZE."
    return info


def measure(
    target: str, python: Path, uri: str, label: str, args: argparse.Namespace
) -> dict[str, Any]:
    log(f"{label}: measuring")
    extra = ["--quick"] if args.quick else []
    return workload(
        python,
        "measure",
        "--target",
        target,
        "--uri",
        uri,
        "--label",
        label,
        "--runs",
        str(args.runs),
        *extra,
    )


def bench_trackd(args: argparse.Namespace, workdir: Path, result: dict[str, Any]) -> None:
    db_url = infra.recreate_database(f"bench_trackd_{args.runs}")
    trackd_bin = Path(sys.executable).with_name("trackd")
    server = infra.start_trackd(trackd_bin, db_url, workdir, workers=args.trackd_workers)
    try:
        result["loading"]["trackd"] = load("trackd", Path(sys.executable), server.uri, db_url, args)
        result["trackd"] = measure("trackd", Path(sys.executable), server.uri, "trackd", args)
        log("trackd: the same calls over gRPC and over HTTP/JSON")
        quick = ["--quick"] if args.quick else []
        result["transports"] = workload(
            Path(sys.executable),
            "transports",
            "--grpc-uri",
            server.uri,
            "--http-uri",
            server.http_uri,
            *quick,
        )
    finally:
        server.stop()
    log("trackd: EXPLAIN ANALYZE of the main queries")
    result["explain"] = explain.explain_trackd(
        db_url,
        (workdir / "trackd-artifacts").as_uri(),
        result["trackd"]["series_run_id"],
        result["trackd"]["series_key"],
    )


def bench_mlflow(args: argparse.Namespace, workdir: Path, result: dict[str, Any]) -> None:
    python = Path(args.mlflow_python)
    mlflow_bin = python.with_name("mlflow")
    db_url = infra.recreate_database(f"bench_mlflow_{args.runs}")
    result["mlflow"] = {}
    for index, config in enumerate(args.mlflow_configs):
        server = infra.start_mlflow(mlflow_bin, db_url, workdir, MLFLOW_WORKERS[config])
        try:
            if index == 0:  # one data set, loaded through the first server
                result["loading"]["mlflow"] = load("mlflow", python, server.uri, db_url, args)
            result["mlflow"][config] = measure(
                "mlflow", python, server.uri, f"mlflow-{config}", args
            )
        finally:
            server.stop()


def machine(with_postgres: bool = True) -> dict[str, Any]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    cores = os.cpu_count() or 0
    pg = infra.postgres_version() if with_postgres else "not used"
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": cores,
        "memory_gib": round(mem_kb / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    info["summary"] = (
        f"{cores} cores ({cpu}), {info['memory_gib']} GiB, "
        + (f"PostgreSQL {pg.split()[0]}, " if with_postgres else "")
        + f"load average {info['load_average_at_start'][0]} at start"
    )
    return info


def versions(args: argparse.Namespace) -> dict[str, str]:
    from trackd_server import __version__

    found = {"trackd": __version__}
    if not args.skip_mlflow:
        done = subprocess.run(
            [args.mlflow_python, "-c", "import mlflow; print(mlflow.__version__)"],
            stdout=subprocess.PIPE,
            check=True,
        )
        found["mlflow"] = done.stdout.decode().strip()
    return found


def checks(result: dict[str, Any]) -> list[str]:
    """Both servers must have answered the same questions with the same runs."""
    notes = []
    ours = result["trackd"]["results"]["search"].pop("first_page")
    for config, measured in result.get("mlflow", {}).items():
        theirs = measured["results"]["search"].pop("first_page")
        same = "the same" if theirs == ours else "DIFFERENT"
        notes.append(
            f"search check: MLflow ({config}) returned {same} {len(theirs)} runs in "
            f"the same order as trackd ({len(ours)})."
        )
    return notes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="trackd vs MLflow benchmark")
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the searched experiment")
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--skip-mlflow", action="store_true", help="measure trackd only")
    parser.add_argument("--mlflow-python", default=str(BENCH / ".venv-mlflow" / "bin" / "python"))
    parser.add_argument(
        "--mlflow-configs", default="default,workers-1", help="comma-separated: default, workers-1"
    )
    parser.add_argument("--trackd-workers", type=int, default=2)
    parser.add_argument(
        "--api-load-max",
        type=int,
        default=10_000,
        help="sizes up to this are loaded entirely through the API",
    )
    parser.add_argument(
        "--reference-runs",
        type=int,
        default=1000,
        help="runs loaded through the API (and checked) before COPY",
    )
    parser.add_argument("--load-procs", type=int, default=4, help="client processes loading")
    parser.add_argument(
        "--keep-databases", action="store_true", help="keep the benchmark databases at the end"
    )
    parser.add_argument("--results-dir", default=str(BENCH / "results"))
    parser.add_argument(
        "--skip-artifacts", action="store_true", help="no artifact upload/download benchmark"
    )
    parser.add_argument("--artifacts-only", action="store_true", help="only the artifact benchmark")
    parser.add_argument(
        "--artifact-mib", type=int, default=0, help="artifact file size (default 1024, quick 64)"
    )
    parser.add_argument(
        "--artifact-reps", type=int, default=0, help="repetitions (default 3, quick 1)"
    )
    parser.add_argument("--doc", default=str(ROOT / "docs" / "benchmarks.md"))
    return parser


def bench_artifacts(args: argparse.Namespace, workdir: Path, now: datetime, command: str) -> None:
    """The artifact benchmark, into bench/results/<date>-artifacts[-quick].json."""
    started = time.perf_counter()
    result: dict[str, Any] = {
        "kind": "artifacts",
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "command": command,
        "machine": machine(with_postgres=False),
        "versions": versions(args),
    }
    result.update(artifacts.run(args, workdir / "artifacts", log))
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round(time.perf_counter() - started)
    results_dir = Path(args.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    out = results_dir / f"{now.strftime('%Y-%m-%d')}-artifacts{suffix}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    log(f"artifacts: wrote {out} in {result['seconds']} s")
    print(json.dumps(result, indent=1))


def main() -> int:
    args = _parser().parse_args()
    args.mlflow_configs = [c for c in args.mlflow_configs.split(",") if c]
    started = time.perf_counter()
    now = datetime.now(timezone.utc)
    workdir = BENCH / ".work" / now.strftime("%Y%m%dT%H%M%S")
    workdir.mkdir(parents=True, exist_ok=True)
    shown = " ".join(a for a in sys.argv[1:] if a != "--artifacts-only")
    make = "make bench-artifacts" if args.artifacts_only else "make bench"
    command = f'{make} BENCH_ARGS="{shown}"' if shown else make
    if args.artifacts_only:
        bench_artifacts(args, workdir, now, command)
        report.update_docs(Path(args.doc), Path(args.results_dir))
        return 0
    result: dict[str, Any] = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "runs": args.runs,
        "quick": args.quick,
        "command": command,
        "machine": machine(),
        "versions": versions(args),
        "loading": {},
    }
    log(f"{args.runs:,} runs; {result['machine']['summary']}")
    bench_trackd(args, workdir, result)
    result["transport_ratios"] = report_transports.transport_ratios(result["transports"])
    if not args.skip_mlflow:
        bench_mlflow(args, workdir, result)
        result["ratios"] = report.ratios(result["trackd"], result["mlflow"])
    else:
        result["trackd"]["results"]["search"].pop("first_page")
    result["notes"] = checks(result) if not args.skip_mlflow else []
    result["notes"].append(
        f"trackd: `trackd server --workers {args.trackd_workers}`; MLflow: `mlflow server` "
        f"({', '.join(args.mlflow_configs)}); each on its own database of the same PostgreSQL."
    )
    if not args.keep_databases:  # a 10^6-run database takes gigabytes
        for name in (f"bench_trackd_{args.runs}", f"bench_mlflow_{args.runs}"):
            infra.drop_database(name)
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round(time.perf_counter() - started)
    results_dir = Path(args.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    out = results_dir / f"{now.strftime('%Y-%m-%d')}-{args.runs}runs{suffix}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    if not args.skip_artifacts:
        bench_artifacts(args, workdir, now, command)
    report.update_docs(Path(args.doc), results_dir)
    log(f"wrote {out} and {args.doc} in {result['seconds']} s")
    print(json.dumps({k: v for k, v in result.items() if k != "explain"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
