"""Results -> the generated section of docs/benchmarks.md (and ratios for the JSON).

The section between the BEGIN/END markers is rewritten from the newest result file of each
data-set size found in bench/results/, and from the newest artifact benchmark result
(`"kind": "artifacts"`); the prose around it is left as written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from report_transports import render_transports

BEGIN = "<!-- BEGIN GENERATED: make bench -->"
END = "<!-- END GENERATED: make bench -->"
MLFLOW_CONFIGS = {"default": "MLflow (defaults)", "workers-1": "MLflow (--workers 1)"}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    stat: str  # the summary field compared: p50 or median
    lower_is_better: bool
    scale: float = 1.0  # shown value = stored value * scale
    unit: str = ""
    # MLflow's figure to compare with, when it is another one (the same call measured once).
    mlflow_key: str | None = None

    @property
    def theirs(self) -> str:
        return self.mlflow_key or self.key


FIGURES = (
    Figure("create_run", "create run, p50 / p99", "p50", True, unit="ms"),
    Figure("log_metric", "single log_metric round trip, p50 / p99", "p50", True, unit="ms"),
    Figure("log_batch", "log_batch (1000 metrics per call)", "median", False, unit="metrics/s"),
    Figure(
        "training_loop",
        "training loop of {steps} steps, fluent log_metric",
        "median",
        True,
        unit="s",
    ),
    Figure(
        "training_loop_async",
        "the same loop with asynchronous logging (synchronous=False)",
        "median",
        True,
        unit="s",
    ),
    Figure("search", "filtered + ordered search, 100 results, p50 / p99", "p50", True, unit="ms"),
    Figure("paging", "page through all runs (1000 per page)", "median", True, unit="s"),
    Figure("history_full", "{points}-point history, full", "median", True, 1000.0, "ms"),
    Figure(
        "history_objects",
        "{points}-point history, full, as `Metric` objects (`get_metric_history` on both)",
        "median",
        True,
        1000.0,
        "ms",
        mlflow_key="history_full",
    ),
    Figure(
        "history_sampled",
        "{points}-point history downsampled to 1000, p50 / p99",
        "p50",
        True,
        unit="ms",
    ),
    Figure("concurrent_writers", "8 concurrent writers", "median", False, unit="metrics/s"),
)


def _value(summary: dict[str, Any] | None, figure: Figure) -> float | None:
    if not summary or figure.stat not in summary:
        return None
    return float(summary[figure.stat]) * figure.scale


def ratios(trackd: dict[str, Any], mlflow: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per figure: the better MLflow configuration's value over trackd's (for throughputs,
    trackd's over MLflow's), so that higher always means trackd is faster."""
    out: dict[str, Any] = {}
    for figure in FIGURES:
        ours = _value(trackd["results"].get(figure.key), figure)
        theirs = {
            name: _value(result["results"].get(figure.theirs), figure)
            for name, result in mlflow.items()
        }
        known = {name: v for name, v in theirs.items() if v is not None}
        if ours is None or not known or ours == 0:
            continue
        pick = min if figure.lower_is_better else max
        best = pick(known, key=lambda name: known[name])
        ratio = known[best] / ours if figure.lower_is_better else ours / known[best]
        out[figure.key] = {
            "trackd": ours,
            "mlflow_best": known[best],
            "mlflow_config": best,
            "ratio": round(ratio, 1),
        }
    return out


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cell(summary: dict[str, Any] | None, figure: Figure) -> str:
    if not summary:
        return "n/a"
    if figure.stat == "p50":
        text = f"{_number(summary['p50'])} / {_number(summary['p99'])}"
    else:
        text = _number(float(summary["median"]) * figure.scale)
    if "extrapolated_from_runs" in summary:
        text = f"~{text} (extrapolated from {summary['extrapolated_from_runs']:,} runs)"
    return text


def _goal(figure: Figure, runs: int, result: dict[str, Any]) -> str:
    value = _value(result["trackd"]["results"].get(figure.key), figure)
    bounds = {"history_full": 100.0, "history_sampled": 15.0}
    if figure.key == "search":
        bounds["search"] = 15.0 if runs <= 10_000 else 150.0
    ratio = result.get("ratios", {}).get(figure.key, {}).get("ratio")
    parts = []
    if figure.key in bounds and value is not None:
        mark = "met" if value <= bounds[figure.key] else "**missed**"
        parts.append(f"<= {bounds[figure.key]:g} ms: {mark}")
    if ratio is not None:
        parts.append("20x: met" if ratio >= 20 else "20x: **missed**")
    return "; ".join(parts)


def render_size(result: dict[str, Any]) -> str:
    runs = int(result["runs"])
    mlflow = result.get("mlflow", {})
    configs = [c for c in MLFLOW_CONFIGS if c in mlflow]
    header = ["figure", "unit", "trackd", *(MLFLOW_CONFIGS[c] for c in configs)]
    header += ["MLflow best / trackd", "goal"]
    lines = [
        f"### {runs:,} runs{' (quick smoke run)' if result.get('quick') else ''}",
        "",
        f"Measured {result['date']} with `{result['command']}`; {result['machine']['summary']}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    measured = result["trackd"]["results"]
    shape = {
        "steps": f"{measured['training_loop']['steps']:,}",
        "points": f"{measured['history_full']['points'] // 1000}k",
    }
    for figure in FIGURES:
        row = [
            figure.label.format(**shape),
            figure.unit,
            _cell(result["trackd"]["results"].get(figure.key), figure),
        ]
        row += [_cell(mlflow[c]["results"].get(figure.theirs), figure) for c in configs]
        ratio = result.get("ratios", {}).get(figure.key)
        row.append(f"{ratio['ratio']}x" if ratio else "n/a")
        row.append(_goal(figure, runs, result))
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", *_loading_lines(result), ""]
    return "\n".join(lines)


def _loading_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for target, info in result.get("loading", {}).items():
        lines.append(f"- {target}: {info['how']}")
    for note in result.get("notes", []):
        lines.append(f"- {note}")
    return lines


def render_explain(result: dict[str, Any]) -> str:
    titles = {
        "search": "filtered + ordered search (page query, then tags, params, latest metrics)",
        "paging": "one page of default-order paging (1000 runs)",
        "history_page": "first page (up to 25 000 points) of the long history",
        "history_sampled": "the long history downsampled to 1000 points",
    }
    lines = [f"### EXPLAIN ANALYZE at {int(result['runs']):,} runs (trackd)", ""]
    for name, statements in result.get("explain", {}).items():
        lines += [f"<details><summary>{titles.get(name, name)}</summary>", ""]
        for statement in statements:
            lines += [
                "```sql",
                _short_sql(statement["sql"]),
                "```",
                "```",
                statement["plan"],
                "```",
                "",
            ]
        lines += ["</details>", ""]
    return "\n".join(lines)


def _short_sql(sql: str, limit: int = 1500) -> str:
    # IN lists of a page's run ids run to thousands of characters; the shape is what matters.
    return sql if len(sql) <= limit else sql[:limit] + " ..."


def _mib(value: float) -> str:
    return f"{value:,.0f} MiB"


def _rss(summary: dict[str, Any] | None) -> str:
    if not summary or "serving_peak_mib" not in summary:
        return "n/a"
    return f"{_mib(summary['serving_peak_mib'])} (+{summary['serving_growth_mib']:,.0f})"


def _artifact_goal(ratio: dict[str, Any]) -> str:
    parts = []
    if "vs_mlflow" in ratio:
        met = ratio["vs_mlflow"] >= 3
        parts.append(f">= 3x MLflow: {'met' if met else '**missed**'}")
    met = ratio["vs_copy"] >= 0.5
    parts.append(f"within 2x of the copy: {'met' if met else '**missed**'}")
    return "; ".join(parts)


def render_artifacts(result: dict[str, Any]) -> str:
    """The artifact table: MB/s and server memory per direction, trackd beside MLflow."""
    size = int(result["bytes"])
    shown = f"{size / 2**30:g} GiB" if size >= 2**30 else f"{size / 2**20:g} MiB"
    mlflow = result.get("mlflow")
    header = ["transfer", "trackd MB/s", "MLflow MB/s", "plain copy MB/s", "trackd / MLflow"]
    header += ["trackd / copy", "server peak RSS: trackd", "MLflow", "goal"]
    lines = [
        f"### Artifacts: one {shown} file{' (quick smoke run)' if result.get('quick') else ''}",
        "",
        f"Measured {result['date']} with `{result['command']}`; {result['machine']['summary']}."
        f" Medians of {result['reps']} repetition{'s' if result['reps'] > 1 else ''}; "
        "MB = 10^6 bytes; peak RSS of the server process that served the transfer "
        "(growth during the transfer in brackets).",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for direction in ("upload", "download"):
        ours = result["trackd"][direction]
        theirs = mlflow[direction] if mlflow else None
        ratio = result["ratios"][direction]
        row = [
            direction,
            _number(ours["median"]),
            _number(theirs["median"]) if theirs else "n/a",
            _number(result["copy"]["median"]),
            f"{ratio['vs_mlflow']}x" if "vs_mlflow" in ratio else "n/a",
            f"{ratio['vs_copy']}x",
            _rss(ours),
            _rss(theirs),
            _artifact_goal(ratio),
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for name in ("trackd", "mlflow"):
        if name in result:
            measured = result[name]
            same = "identical" if measured["sha256_identical"] else "**NOT identical**"
            lines.append(
                f"- {name}: `{result['servers'][name]}`; {measured['upload']['n']} of "
                f"{result['reps']} round trips (a time budget stops slow ones early); every "
                f"download {same} to the source (SHA-256, {measured['sha256_checks']} checked); "
                f"the server's processes ({measured['upload']['memory'][0]['processes']}) "
                f"peaked at {_mib(measured['upload']['total_peak_mib'])} together during the "
                f"upload and {_mib(measured['download']['total_peak_mib'])} during the download."
            )
    lines += ["", ""]
    return "\n".join(lines)


def latest_artifacts(results_dir: Path) -> dict[str, Any] | None:
    """The newest artifact result, a full one if there is any."""
    found = [json.loads(p.read_text()) for p in sorted(results_dir.glob("*-artifacts*.json"))]
    found = [r for r in found if r.get("kind") == "artifacts"]
    full = [r for r in found if not r.get("quick")] or found
    return max(full, key=lambda r: str(r["date"])) if full else None


def latest_per_size(results_dir: Path) -> list[dict[str, Any]]:
    newest: dict[tuple[int, bool], dict[str, Any]] = {}
    for path in sorted(results_dir.glob("*.json")):
        result = json.loads(path.read_text())
        if result.get("kind") == "artifacts":
            continue
        key = (int(result["runs"]), bool(result.get("quick")))
        if key not in newest or result["date"] >= newest[key]["date"]:
            newest[key] = result
    full = [r for (runs, quick), r in sorted(newest.items()) if not quick]
    return full or [r for _, r in sorted(newest.items())]


def update_docs(doc: Path, results_dir: Path) -> None:
    """Rewrites the generated section of `doc` from the results in `results_dir`."""
    results = latest_per_size(results_dir)
    body = []
    for result in results:
        body.append(render_size(result))
        if result.get("transports"):
            body.append(render_transports(result))
    files = latest_artifacts(results_dir)
    if files is not None:
        body.append(render_artifacts(files))
    with_plans = [r for r in results if r.get("explain")]
    if with_plans:
        body.append(render_explain(max(with_plans, key=lambda r: int(r["runs"]))))
    section = f"{BEGIN}\n\n" + "\n".join(body) + f"\n{END}"
    text = doc.read_text() if doc.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    doc.write_text(head + section + tail)
