"""The benchmark's data set, the same for every target and every way of loading it.

Run i of the searched experiment is fully determined by i: its name, start time, 5 params,
5 metrics (one point each, step 0) and 3 tags. Both servers therefore hold identical values,
and a search must return the same runs in the same order from either. Standard library only:
this module is imported under trackd's interpreter and under MLflow's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SEARCH_EXPERIMENT = "bench-search"
# The searched data's start times: one second apart from a fixed instant, so the default order
# (newest first) is fully determined.
BASE_TIME_MS = 1_700_000_000_000
PARAM_KEYS = ("p1", "p2", "p3", "p4", "p5")
METRIC_KEYS = ("m1", "m2", "m3", "m4", "m5")
TAG_KEYS = ("t1", "t2", "t3")
P1_VALUES = ("a", "b", "c", "d")

SEARCH_FILTER = "metrics.m1 > 0.5 and params.p1 = 'a'"
SEARCH_ORDER = ("metrics.m2 DESC",)
SEARCH_RESULTS = 100
PAGE_SIZE = 1000


@dataclass(frozen=True)
class RunSpec:
    """One run of the searched experiment, as the API is asked to write it."""

    index: int
    name: str
    start_time: int
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]


def run_spec(index: int) -> RunSpec:
    """Run `index` (0-based) of the searched experiment."""
    rng = random.Random(index)
    params = {
        "p1": P1_VALUES[rng.randrange(len(P1_VALUES))],
        "p2": str(rng.randrange(1000)),
        "p3": f"{rng.random():.6f}",
        "p4": rng.choice(("adam", "sgd", "rmsprop")),
        "p5": f"config-{rng.randrange(50)}",
    }
    metrics = {key: rng.random() for key in METRIC_KEYS}
    tags = {"t1": f"team-{index % 10}", "t2": "bench", "t3": f"batch-{index // 1000}"}
    return RunSpec(
        index=index,
        name=f"bench-{index:07d}",
        start_time=BASE_TIME_MS + index * 1000,
        params=params,
        metrics=metrics,
        tags=tags,
    )


def expected_matches(runs: int) -> int:
    """How many runs the benchmark filter matches in a data set of `runs` runs."""
    return sum(
        1
        for spec in map(run_spec, range(runs))
        if spec.metrics["m1"] > 0.5 and spec.params["p1"] == "a"
    )
