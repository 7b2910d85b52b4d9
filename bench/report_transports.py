"""The HTTP/JSON-against-gRPC table of docs/benchmarks.md, from a result's `transports` part
(bench/workload.py `transports`: the same calls to one trackd server over both listeners)."""

from __future__ import annotations

from typing import Any

GOAL = 1.5  # HTTP/JSON within 1.5x of gRPC
# (key, label, stat, lower is better, unit)
ROWS = (
    ("log_metric", "single log_metric round trip, p50 / p99", "p50", True, "ms"),
    ("search", "filtered + ordered search, 100 results, p50 / p99", "p50", True, "ms"),
    ("log_batch", "log_batch ({batch} metrics per call)", "median", False, "metrics/s"),
)


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _cell(summary: dict[str, Any], stat: str) -> str:
    if stat == "p50":
        return f"{_number(summary['p50'])} / {_number(summary['p99'])}"
    return f"{_number(summary['median'])} ({_number(summary['min'])}-{_number(summary['max'])})"


def transport_ratios(transports: dict[str, Any]) -> dict[str, float]:
    """Per call: how many times gRPC's figure HTTP's is (cost ratio; 1.0 = the same)."""
    grpc, http = transports["results"]["grpc"], transports["results"]["http"]
    out = {}
    for key, _, stat, lower_is_better, _ in ROWS:
        ours, theirs = float(grpc[key][stat]), float(http[key][stat])
        out[key] = round(theirs / ours if lower_is_better else ours / theirs, 2)
    return out


def render_transports(result: dict[str, Any]) -> str:
    transports = result["transports"]
    grpc, http = transports["results"]["grpc"], transports["results"]["http"]
    ratio = transport_ratios(transports)
    lines = [
        f"### HTTP/JSON against gRPC ({int(result['runs']):,} runs)",
        "",
        f"Measured {result['date']} with `{result['command']}`, on the trackd server of the "
        f"table above: the same calls over gRPC (trackd's Python client) and over HTTP/JSON "
        f"(one kept-alive HTTP/1.1 connection, JSON bodies, as the R client and curl send "
        f"them), in {transports['rounds']} alternating rounds.",
        "",
        "| call | unit | gRPC | HTTP/JSON | HTTP cost / gRPC cost | goal (within 1.5x) |",
        "|---|---|---|---|---|---|",
    ]
    for key, label, stat, _, unit in ROWS:
        mark = "met" if ratio[key] <= GOAL else "**missed**"
        lines.append(
            f"| {label.format(batch=transports['batch_size'])} | {unit} | "
            f"{_cell(grpc[key], stat)} | {_cell(http[key], stat)} | {ratio[key]}x | {mark} |"
        )
    return "\n".join([*lines, ""])
