"""The three export formats. Each writer takes records one at a time and keeps at most one
row group (Parquet) in memory, so exports of any size run in bounded memory.

* CSV: the columns of MLflow's UI download, `Run ID, Name, Source Type, Source Name, User,
  Status`, then one column per param key and one per metric key (bare key names, sorted).
  Missing values are empty; metric values are written in Python's shortest round-trip form,
  with NaN, Infinity and -Infinity spelled as in JavaScript.
* JSONL: one JSON object per run, with `params` and `metrics` objects; NaN and infinities are
  the strings "NaN", "Infinity", "-Infinity" (as in protobuf's JSON mapping).
* Parquet: typed columns `run_id, run_name, experiment_id, status, user, source_type,
  source_name, start_time, end_time` (times as UTC timestamps in ms), then `params.<key>`
  (string) and `metrics.<key>` (double) columns, written in row groups.
"""

from __future__ import annotations

import csv
import json
import math
from typing import Any, Protocol, TextIO

from .records import RunRecord
from .source import Columns

CSV_INFO_HEADER = ["Run ID", "Name", "Source Type", "Source Name", "User", "Status"]
PARQUET_ROW_GROUP = 10_000


class RecordWriter(Protocol):
    def write(self, record: RunRecord) -> None: ...
    def close(self) -> None: ...


def _number_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _json_number(value: float) -> float | str:
    if math.isnan(value) or math.isinf(value):
        return _number_text(value)
    return value


class CsvWriter:
    def __init__(self, stream: TextIO, columns: Columns) -> None:
        self._writer = csv.writer(stream)
        self._columns = columns
        self._writer.writerow([*CSV_INFO_HEADER, *columns.params, *columns.metrics])

    def write(self, record: RunRecord) -> None:
        metrics = record.metrics
        self._writer.writerow(
            [
                record.run_id,
                record.run_name,
                record.source_type,
                record.source_name,
                record.user,
                record.status,
                *(record.params.get(k, "") for k in self._columns.params),
                *(_number_text(metrics[k]) if k in metrics else "" for k in self._columns.metrics),
            ]
        )

    def close(self) -> None:
        pass


class JsonlWriter:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, record: RunRecord) -> None:
        line = {
            "run_id": record.run_id,
            "run_name": record.run_name,
            "experiment_id": record.experiment_id,
            "status": record.status,
            "user": record.user,
            "source_type": record.source_type,
            "source_name": record.source_name,
            "start_time": record.start_time,
            "end_time": record.end_time,
            "params": dict(sorted(record.params.items())),
            "metrics": {k: _json_number(v) for k, v in sorted(record.metrics.items())},
        }
        self._stream.write(json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n")

    def close(self) -> None:
        pass


PARQUET_INFO_COLUMNS = (
    "run_id",
    "run_name",
    "experiment_id",
    "status",
    "user",
    "source_type",
    "source_name",
)


class ParquetWriter:
    def __init__(self, path: str, columns: Columns) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError(
                "Parquet export needs pyarrow: pip install 'trackd[parquet]'"
            ) from None
        self._pa = pa
        timestamp = pa.timestamp("ms", tz="UTC")
        fields = [pa.field(name, pa.string(), nullable=False) for name in PARQUET_INFO_COLUMNS]
        fields += [pa.field("start_time", timestamp), pa.field("end_time", timestamp)]
        fields += [pa.field(f"params.{k}", pa.string()) for k in columns.params]
        fields += [pa.field(f"metrics.{k}", pa.float64()) for k in columns.metrics]
        self._schema = pa.schema(fields)
        self._columns = columns
        self._writer = pq.ParquetWriter(path, self._schema)
        self._pending: list[RunRecord] = []

    def write(self, record: RunRecord) -> None:
        self._pending.append(record)
        if len(self._pending) >= PARQUET_ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        rows = self._pending
        data: dict[str, list[Any]] = {
            name: [getattr(r, name) for r in rows] for name in PARQUET_INFO_COLUMNS
        }
        data["start_time"] = [r.start_time for r in rows]
        data["end_time"] = [r.end_time for r in rows]
        for key in self._columns.params:
            data[f"params.{key}"] = [r.params.get(key) for r in rows]
        for key in self._columns.metrics:
            data[f"metrics.{key}"] = [r.metrics.get(key) for r in rows]
        self._writer.write_table(self._pa.Table.from_pydict(data, schema=self._schema))
        self._pending = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
