"""Timing helpers shared by the workload under every interpreter (standard library only)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def percentile(samples: list[float], fraction: float) -> float:
    """The `fraction` quantile (0..1) of `samples`, by linear interpolation."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(samples_s: list[float]) -> dict[str, Any]:
    """p50/p99/mean of latencies given in seconds, reported in milliseconds."""
    return {
        "unit": "ms",
        "n": len(samples_s),
        "p50": round(percentile(samples_s, 0.50) * 1000, 3),
        "p99": round(percentile(samples_s, 0.99) * 1000, 3),
        "mean": round(statistics.fmean(samples_s) * 1000, 3),
    }


def duration_summary(samples_s: list[float]) -> dict[str, Any]:
    """Median (and spread) of whole-task durations, in seconds."""
    return {
        "unit": "s",
        "n": len(samples_s),
        "median": round(statistics.median(samples_s), 4),
        "min": round(min(samples_s), 4),
        "max": round(max(samples_s), 4),
    }


def rate_summary(rates: list[float], unit: str) -> dict[str, Any]:
    """Median (and spread) of throughputs measured in several repetitions."""
    return {
        "unit": unit,
        "n": len(rates),
        "median": round(statistics.median(rates), 1),
        "min": round(min(rates), 1),
        "max": round(max(rates), 1),
    }


def time_calls(
    call: Callable[[int], object],
    count: int,
    warmup: int = 3,
    budget_s: float | None = None,
    min_count: int = 10,
) -> list[float]:
    """Durations in seconds of `count` calls of `call(i)`, after `warmup` untimed calls. With a
    budget, stops once `budget_s` seconds were spent (after at least `min_count` calls)."""
    for i in range(warmup):
        call(-1 - i)
    samples: list[float] = []
    spent = 0.0
    for i in range(count):
        if budget_s is not None and spent > budget_s and len(samples) >= min_count:
            break
        start = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - start)
        spent += samples[-1]
    return samples


def time_repeated(
    task: Callable[[], object], max_repeats: int, budget_s: float, min_repeats: int = 1
) -> list[float]:
    """Durations of up to `max_repeats` runs of `task`, stopping early once `budget_s` seconds
    have been spent (after at least `min_repeats`): slow targets get fewer repetitions."""
    samples: list[float] = []
    spent = 0.0
    while len(samples) < max_repeats and (len(samples) < min_repeats or spent < budget_s):
        start = time.perf_counter()
        task()
        samples.append(time.perf_counter() - start)
        spent += samples[-1]
    return samples
