"""The Python runner's operations: each conformance operation name mapped to one call of the
public `trackd.TrackingClient`, and each result turned into the neutral shape that cases
compare against (tests/conformance/README.md, "Results")."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trackd
from trackd.artifacts import FileInfo
from trackd.entities import Experiment, Metric, MetricSeries, Param, Run, RunInfo, RunTag


def experiment(e: Experiment) -> dict[str, Any]:
    return {
        "experiment_id": e.experiment_id,
        "name": e.name,
        "artifact_location": e.artifact_location,
        "lifecycle_stage": str(e.lifecycle_stage),
        "tags": dict(e.tags),
    }


def run_info(i: RunInfo) -> dict[str, Any]:
    return {
        "run_id": i.run_id,
        "run_name": i.run_name,
        "experiment_id": i.experiment_id,
        "user_id": i.user_id,
        "status": str(i.status),
        "start_time": i.start_time,
        "end_time": i.end_time,
        "artifact_uri": i.artifact_uri,
        "lifecycle_stage": str(i.lifecycle_stage),
    }


def run(r: Run) -> dict[str, Any]:
    return {
        **run_info(r.info),
        "metrics": dict(r.data.metrics),
        "params": dict(r.data.params),
        "tags": dict(r.data.tags),
    }


def point(m: Metric) -> dict[str, Any]:
    return {"key": m.key, "value": m.value, "timestamp": m.timestamp, "step": m.step}


def series(s: MetricSeries) -> dict[str, Any]:
    return {"run_id": s.run_id, "key": s.key, "points": [point(p) for p in s.points]}


def file_info(f: FileInfo) -> dict[str, Any]:
    return {"path": f.path, "is_dir": f.is_dir, "size": None if f.is_dir else f.file_size}


def _metrics(items: list[dict[str, Any]]) -> list[Metric]:
    return [Metric(m["key"], m["value"], m.get("timestamp", 0), m.get("step", 0)) for m in items]


def _upload(c: trackd.TrackingClient, a: dict[str, Any]) -> None:
    directory, _, name = a["path"].rpartition("/")
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / name
        local.write_text(a["text"], encoding="utf-8")
        c.log_artifact(a["run_id"], local, directory or None)


def _download(c: trackd.TrackingClient, a: dict[str, Any]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        return Path(c.download_artifacts(a["run_id"], a["path"], tmp)).read_text(encoding="utf-8")


def _page(items: list[Any], token: str | None, convert: Callable[[Any], Any]) -> dict[str, Any]:
    return {"items": [convert(i) for i in items], "next_page_token": token}


Operation = Callable[[trackd.TrackingClient, dict[str, Any]], Any]

OPERATIONS: dict[str, Operation] = {
    # ExperimentService
    "create_experiment": lambda c, a: c.create_experiment(
        a["name"], a.get("artifact_location"), a.get("tags")
    ),
    "get_experiment": lambda c, a: experiment(c.get_experiment(a["experiment_id"])),
    "get_experiment_by_name": lambda c, a: (
        None if (e := c.get_experiment_by_name(a["name"])) is None else experiment(e)
    ),
    "search_experiments": lambda c, a: [
        experiment(e)
        for e in c.search_experiments(
            a.get("view_type", "ACTIVE_ONLY"),
            a.get("max_results"),
            a.get("filter"),
            a.get("order_by"),
            a.get("page_size"),
        )
    ],
    "search_experiments_page": lambda c, a: (lambda p: _page(p, p.token, experiment))(
        c.search_experiments_page(
            a.get("view_type", "ACTIVE_ONLY"),
            a.get("page_size"),
            a.get("filter"),
            a.get("order_by"),
            a.get("page_token"),
        )
    ),
    "rename_experiment": lambda c, a: c.rename_experiment(a["experiment_id"], a["new_name"]),
    "delete_experiment": lambda c, a: c.delete_experiment(a["experiment_id"]),
    "restore_experiment": lambda c, a: c.restore_experiment(a["experiment_id"]),
    "set_experiment_tag": lambda c, a: c.set_experiment_tag(
        a["experiment_id"], a["key"], a["value"]
    ),
    "delete_experiment_tag": lambda c, a: c.delete_experiment_tag(a["experiment_id"], a["key"]),
    # RunService
    "create_run": lambda c, a: run(
        c.create_run(
            a["experiment_id"],
            a.get("start_time"),
            a.get("tags"),
            a.get("run_name"),
            a.get("parent_run_id"),
        )
    ),
    "get_run": lambda c, a: run(c.get_run(a["run_id"])),
    "update_run": lambda c, a: run_info(
        c.update_run(a["run_id"], a.get("status"), a.get("run_name"), a.get("end_time"))
    ),
    "delete_run": lambda c, a: c.delete_run(a["run_id"]),
    "restore_run": lambda c, a: c.restore_run(a["run_id"]),
    "set_tag": lambda c, a: c.set_tag(a["run_id"], a["key"], a["value"]),
    "delete_tag": lambda c, a: c.delete_tag(a["run_id"], a["key"]),
    "log_param": lambda c, a: c.log_param(a["run_id"], a["key"], a["value"]) and None,
    "log_batch": lambda c, a: c.log_batch(
        a["run_id"],
        _metrics(a.get("metrics", [])),
        [Param(p["key"], p["value"]) for p in a.get("params", [])],
        [RunTag(t["key"], t["value"]) for t in a.get("tags", [])],
    ),
    "search_runs": lambda c, a: [
        run(r)
        for r in c.search_runs(
            a["experiment_ids"],
            a.get("filter", ""),
            a.get("view_type", "ACTIVE_ONLY"),
            a.get("max_results"),
            a.get("order_by"),
            a.get("page_size"),
            a.get("metric_keys"),
            a.get("param_keys"),
            a.get("tag_keys"),
        )
    ],
    "search_runs_page": lambda c, a: (lambda p: _page(p, p.token, run))(
        c.search_runs_page(
            a["experiment_ids"],
            a.get("filter", ""),
            a.get("view_type", "ACTIVE_ONLY"),
            a.get("page_size"),
            a.get("order_by"),
            a.get("page_token"),
        )
    ),
    # MetricService
    "log_metric": lambda c, a: c.log_metric(
        a["run_id"], a["key"], a["value"], a.get("timestamp"), a.get("step")
    ),
    "get_metric_history": lambda c, a: [
        point(m)
        for m in c.get_metric_history(
            a["run_id"], a["key"], a.get("max_points"), a.get("start_step"), a.get("end_step")
        )
    ],
    "get_metric_history_bulk": lambda c, a: [
        series(s)
        for s in c.get_metric_history_bulk(
            a["run_ids"], a["keys"], a.get("max_points"), a.get("start_step"), a.get("end_step")
        )
    ],
    # ArtifactService
    "upload_artifact": _upload,
    "download_artifact": _download,
    "list_artifacts": lambda c, a: [
        file_info(f) for f in c.list_artifacts(a["run_id"], a.get("path"))
    ],
}
