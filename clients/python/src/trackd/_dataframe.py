"""Runs as a pandas DataFrame, in the column layout of `mlflow.search_runs`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trackd.entities import Run

INFO_COLUMNS = ("run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time")


def runs_to_dataframe(runs: Iterable[Run]) -> Any:
    """One row per run: `run_id`, `experiment_id`, `status`, `artifact_uri`, `start_time` and
    `end_time` (UTC timestamps), then `metrics.<key>`, `params.<key>`, `tags.<key>` columns
    (missing values are NaN / None)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "trackd.search_runs(output_format='pandas') needs pandas: pip install 'trackd[pandas]'"
            ", or pass output_format='list'"
        ) from None
    rows: list[dict[str, Any]] = []
    for run in runs:
        row: dict[str, Any] = {
            "run_id": run.info.run_id,
            "experiment_id": run.info.experiment_id,
            "status": run.info.status.value,
            "artifact_uri": run.info.artifact_uri,
            "start_time": run.info.start_time,
            "end_time": run.info.end_time,
        }
        row.update({f"metrics.{k}": v for k, v in run.data.metrics.items()})
        row.update({f"params.{k}": v for k, v in run.data.params.items()})
        row.update({f"tags.{k}": v for k, v in run.data.tags.items()})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=_columns(rows))
    for column in ("start_time", "end_time"):
        frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    return frame


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    extra: dict[str, None] = {}
    for row in rows:
        extra.update(dict.fromkeys(k for k in row if k not in INFO_COLUMNS))
    by_kind = sorted(
        extra, key=lambda c: (("metrics.", "params.", "tags.").index(c.split(".")[0] + "."), c)
    )
    return [*INFO_COLUMNS, *by_kind]
