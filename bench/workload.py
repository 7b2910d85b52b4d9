"""The benchmark workload, run under the target's own interpreter:

    .venv/bin/python bench/workload.py measure --target trackd --uri grpc://127.0.0.1:PORT
    bench/.venv-mlflow/bin/python bench/workload.py measure --target mlflow --uri http://...

`populate` writes the searched runs through the API with parallel client processes;
`measure` runs every measurement and prints one JSON object on stdout. The same code drives
both servers; only the adapter differs (target_trackd.py imports trackd, target_mlflow.py
imports mlflow, and only the chosen one is imported).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import multiprocessing
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import stats
from dataset import (
    PAGE_SIZE,
    SEARCH_EXPERIMENT,
    SEARCH_FILTER,
    SEARCH_ORDER,
    SEARCH_RESULTS,
    run_spec,
)

ADAPTERS = {
    "trackd": ("target_trackd", "TrackdTarget"),
    "trackd-http": ("target_trackd_http", "TrackdHttpTarget"),
    "mlflow": ("target_mlflow", "MlflowTarget"),
}
SERIES_KEY = "series"
BATCH_SIZE = 1000
WRITERS = 8


@dataclass(frozen=True)
class Plan:
    """How much of each measurement to do."""

    latency_calls: int = 200
    search_calls: int = 50
    sampled_calls: int = 50
    series_points: int = 100_000
    batches_per_rep: int = 10
    history_repeats: int = 10
    training_steps: int = 2000
    training_repeats: int = 3
    paging_repeats: int = 3
    writer_calls: int = 100
    writer_repeats: int = 3
    # Slow targets stop repeating a measurement after this many seconds.
    budget_s: float = 40.0
    # Paging through every run stops (and is extrapolated) after this many seconds.
    paging_limit_s: float = 900.0


QUICK = Plan(
    latency_calls=30,
    search_calls=10,
    sampled_calls=10,
    series_points=20_000,
    batches_per_rep=5,
    history_repeats=3,
    training_steps=200,
    training_repeats=2,
    paging_repeats=2,
    writer_calls=20,
    writer_repeats=2,
    budget_s=10.0,
    paging_limit_s=60.0,
)


def make_target(name: str, uri: str) -> Any:
    module_name, class_name = ADAPTERS[name]
    return getattr(importlib.import_module(module_name), class_name)(uri)


def log(message: str) -> None:
    print(f"[workload] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------ populate


def _load_shard(target_name: str, uri: str, experiment_id: str, indices: list[int]) -> int:
    target = make_target(target_name, uri)
    for i in indices:
        target.load_run(experiment_id, run_spec(i))
    target.close()
    return len(indices)


def populate(args: argparse.Namespace) -> dict[str, Any]:
    """Writes runs start..start+count-1 of the searched experiment through the API."""
    target = make_target(args.target, args.uri)
    experiment_id = target.experiment_id(SEARCH_EXPERIMENT, create=True)
    indices = list(range(args.start, args.start + args.count))
    shards = [indices[k :: args.procs] for k in range(args.procs)]
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.procs) as pool:
        loaded = sum(
            pool.starmap(_load_shard, [(args.target, args.uri, experiment_id, s) for s in shards])
        )
    seconds = time.perf_counter() - started
    return {"experiment_id": experiment_id, "loaded": loaded, "seconds": round(seconds, 2)}


# ------------------------------------------------------------------------------------- measure


def _series_points(start: int, count: int) -> list[tuple[str, float, int, int]]:
    now = int(time.time() * 1000)
    return [(SERIES_KEY, math.sin(i / 100.0), now, i) for i in range(start, start + count)]


def measure_writes(target: Any, scratch: str, plan: Plan) -> tuple[dict[str, Any], str]:
    results: dict[str, Any] = {}
    log("create_run latency")
    results["create_run"] = stats.latency_summary(
        stats.time_calls(lambda _: target.create_run(scratch), plan.latency_calls)
    )
    run_id = target.create_run(scratch)
    log("log_metric latency")
    results["log_metric"] = stats.latency_summary(
        stats.time_calls(
            lambda i: target.log_metric(run_id, "single", 0.5, i + 10), plan.latency_calls
        )
    )
    log(f"log_batch throughput ({plan.series_points} points, {BATCH_SIZE} per batch)")
    series_run = target.create_run(scratch)
    per_rep = plan.batches_per_rep * BATCH_SIZE
    rates = []
    for rep in range(plan.series_points // per_rep):
        batches = [
            _series_points(rep * per_rep + b * BATCH_SIZE, BATCH_SIZE)
            for b in range(plan.batches_per_rep)
        ]
        started = time.perf_counter()
        for batch in batches:
            target.log_batch_metrics(series_run, batch)
        rates.append(per_rep / (time.perf_counter() - started))
    results["log_batch"] = stats.rate_summary(rates, "metrics/s")
    loops = {
        "training_loop": target.training_loop,
        "training_loop_async": target.training_loop_async,
    }
    for name, loop in loops.items():
        log(f"{name.replace('_', ' ')} ({plan.training_steps} steps, fluent API)")
        results[name] = stats.duration_summary(
            stats.time_repeated(
                lambda loop=loop: loop(scratch, plan.training_steps),
                plan.training_repeats,
                plan.budget_s * 2,
            )
        )
        results[name]["steps"] = plan.training_steps
    return results, series_run


def measure_history(target: Any, series_run: str, plan: Plan) -> dict[str, Any]:
    results: dict[str, Any] = {}
    log("history, full")
    sizes: list[int] = []
    samples = stats.time_repeated(
        lambda: sizes.append(target.history(series_run, SERIES_KEY)),
        plan.history_repeats,
        plan.budget_s,
        min_repeats=2,
    )
    results["history_full"] = stats.duration_summary(samples[1:] or samples)  # first one warms
    results["history_full"]["points"] = sizes[-1]
    if hasattr(target, "history_objects"):  # trackd: its full history is another call
        log("history, full, as Metric objects")
        samples = stats.time_repeated(
            lambda: target.history_objects(series_run, SERIES_KEY),
            plan.history_repeats,
            plan.budget_s,
            min_repeats=2,
        )
        results["history_objects"] = stats.duration_summary(samples[1:] or samples)
    log("history, downsampled to 1000 points")
    sampled: list[int] = []
    results["history_sampled"] = stats.latency_summary(
        stats.time_calls(
            lambda _: sampled.append(target.sampled_history(series_run, SERIES_KEY, 1000)),
            plan.sampled_calls,
            budget_s=plan.budget_s,
        )
    )
    results["history_sampled"]["points"] = sampled[-1]
    return results


def _page_through(target: Any, experiment_id: str, limit_s: float) -> dict[str, Any]:
    """Pages through every run of the experiment (default order); gives up after limit_s."""
    started = time.perf_counter()
    token: str | None = None
    total = 0
    while True:
        names, token = target.search_page(experiment_id, "", [], PAGE_SIZE, token)
        total += len(names)
        elapsed = time.perf_counter() - started
        if not token or elapsed > limit_s:
            return {"runs": total, "seconds": elapsed, "complete": not token}


def measure_search(target: Any, plan: Plan, expected_runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    experiment_id = target.experiment_id(SEARCH_EXPERIMENT, create=False)
    log("filtered, ordered search")
    pages: list[list[str]] = []
    samples = stats.time_calls(
        lambda _: pages.append(
            target.search_page(
                experiment_id, SEARCH_FILTER, list(SEARCH_ORDER), SEARCH_RESULTS, None
            )[0]
        ),
        plan.search_calls,
        budget_s=plan.budget_s * 2,
    )
    results["search"] = stats.latency_summary(samples)
    results["search"]["first_page"] = pages[-1]
    log("paging through every run")
    pages_done: list[dict[str, Any]] = []

    def page_all() -> None:
        pages_done.append(_page_through(target, experiment_id, plan.paging_limit_s))

    samples = stats.time_repeated(page_all, plan.paging_repeats, plan.budget_s * 2)
    last = pages_done[-1]
    if last["complete"]:
        results["paging"] = stats.duration_summary(samples)
    else:
        # Too slow to finish: the time for the runs seen, scaled to all of them, flagged.
        estimate = last["seconds"] * expected_runs / max(last["runs"], 1)
        results["paging"] = {"unit": "s", "n": 1, "median": round(estimate, 1)}
        results["paging"]["extrapolated_from_runs"] = last["runs"]
    results["paging"].update(runs=last["runs"], page_size=PAGE_SIZE)
    if last["complete"] and last["runs"] != expected_runs:
        log(f"WARNING: paging saw {last['runs']} runs, expected {expected_runs}")
    return results


def _writer(
    target_name: str, uri: str, run_id: str, calls: int, repeats: int, barrier: Any, out: Any
) -> None:
    target = make_target(target_name, uri)
    target.log_metric(run_id, "warmup", 0.0, 0)
    for rep in range(repeats):
        barrier.wait()
        started = time.monotonic()
        for i in range(calls):
            target.log_metric(run_id, "concurrent", float(i), rep * calls + i)
        out.put((rep, started, time.monotonic()))
    target.close()


def measure_concurrency(target: Any, scratch: str, plan: Plan, target_name: str) -> dict[str, Any]:
    """WRITERS processes, each logging single metrics to its own run, started together."""
    log(f"{WRITERS} concurrent writers")
    run_ids = [target.create_run(scratch) for _ in range(WRITERS)]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS)
    out = context.Queue()
    workers = [
        context.Process(
            target=_writer,
            args=(
                target_name,
                target.uri,
                run_id,
                plan.writer_calls,
                plan.writer_repeats,
                barrier,
                out,
            ),
        )
        for run_id in run_ids
    ]
    for worker in workers:
        worker.start()
    spans: dict[int, list[tuple[float, float]]] = {}
    for _ in range(WRITERS * plan.writer_repeats):
        rep, started, ended = out.get(timeout=1800)
        spans.setdefault(rep, []).append((started, ended))
    for worker in workers:
        worker.join()
    rates = [
        WRITERS * plan.writer_calls / (max(e for _, e in s) - min(b for b, _ in s))
        for s in spans.values()
    ]
    summary = stats.rate_summary(rates, "metrics/s")
    summary.update(writers=WRITERS, calls_per_writer=plan.writer_calls, kind="processes")
    return summary


def measure(args: argparse.Namespace) -> dict[str, Any]:
    plan = QUICK if args.quick else Plan()
    target = make_target(args.target, args.uri)
    scratch = target.experiment_id(f"bench-scratch-{args.label}-{uuid.uuid4().hex[:8]}", True)
    started = time.perf_counter()
    results, series_run = measure_writes(target, scratch, plan)
    results.update(measure_history(target, series_run, plan))
    results.update(measure_search(target, plan, args.runs))
    results["concurrent_writers"] = measure_concurrency(target, scratch, plan, args.target)
    return {
        "target": args.target,
        "label": args.label,
        "plan": asdict(plan),
        "series_run_id": series_run,
        "series_key": SERIES_KEY,
        "seconds": round(time.perf_counter() - started, 1),
        "results": results,
    }


def measure_transports(args: argparse.Namespace) -> dict[str, Any]:
    """The same calls to one server over gRPC (trackd's client) and over HTTP/JSON (one
    kept-alive connection), in alternating rounds so that both see the same machine load."""
    plan = QUICK if args.quick else Plan()
    targets = {
        "grpc": make_target("trackd", args.grpc_uri),
        "http": make_target("trackd-http", args.http_uri),
    }
    scratch = targets["grpc"].experiment_id(f"bench-transports-{uuid.uuid4().hex[:8]}", True)
    searched = targets["grpc"].experiment_id(SEARCH_EXPERIMENT, create=False)
    samples: dict[str, dict[str, list[float]]] = {
        name: {"log_metric": [], "search": [], "log_batch": []} for name in targets
    }
    rounds = 5
    for round_number in range(rounds):
        for name, target in targets.items():
            log(f"transports: {name}, round {round_number + 1} of {rounds}")
            run_id = target.create_run(scratch)
            samples[name]["log_metric"] += stats.time_calls(
                lambda i, t=target, r=run_id: t.log_metric(r, "single", 0.5, i + 10),
                max(plan.latency_calls // rounds, 10),
            )
            samples[name]["search"] += stats.time_calls(
                lambda _, t=target: t.search_page(
                    searched, SEARCH_FILTER, list(SEARCH_ORDER), SEARCH_RESULTS, None
                ),
                max(plan.search_calls // rounds, 5),
            )
            batches = [
                _series_points(b * BATCH_SIZE, BATCH_SIZE) for b in range(plan.batches_per_rep)
            ]
            started = time.perf_counter()
            for batch in batches:
                target.log_batch_metrics(run_id, batch)
            samples[name]["log_batch"].append(
                plan.batches_per_rep * BATCH_SIZE / (time.perf_counter() - started)
            )
    for target in targets.values():
        target.close()
    results: dict[str, Any] = {}
    for name, measured in samples.items():
        results[name] = {
            "log_metric": stats.latency_summary(measured["log_metric"]),
            "search": stats.latency_summary(measured["search"]),
            "log_batch": stats.rate_summary(measured["log_batch"], "metrics/s"),
        }
    return {"rounds": rounds, "batch_size": BATCH_SIZE, "results": results}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("populate", "measure"):
        command = commands.add_parser(name)
        command.add_argument("--target", choices=sorted(ADAPTERS), required=True)
        command.add_argument("--uri", required=True)
    load = commands.choices["populate"]
    load.add_argument("--start", type=int, default=0)
    load.add_argument("--count", type=int, required=True)
    load.add_argument("--procs", type=int, default=4)
    run = commands.choices["measure"]
    run.add_argument("--label", required=True, help="names this measurement in the results")
    run.add_argument("--runs", type=int, required=True, help="runs in the searched experiment")
    run.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    transports = commands.add_parser("transports", help="gRPC and HTTP/JSON on one server")
    transports.add_argument("--grpc-uri", required=True)
    transports.add_argument("--http-uri", required=True)
    transports.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    return parser


def main() -> int:
    args = _parser().parse_args()
    # Clients may print (MLflow's fluent API announces every run it ends): stdout carries only
    # the result.
    with contextlib.redirect_stdout(sys.stderr):
        commands = {"populate": populate, "measure": measure, "transports": measure_transports}
        result = commands[args.command](args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
