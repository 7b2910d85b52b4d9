"""`trackd runs export`: the runs of an experiment to CSV, Parquet or JSON Lines.

This lives in the client package, not the server's: an export is a client of a trackd server
(it never opens the database), built only on the public `TrackingClient.search_runs`, and it
needs none of the server's dependencies, so `pip install trackd` (no `[server]` extra) has it.
The `trackd` command reaches it through this module's public `export_runs`.

Streamed from a trackd server through the search API, page by page: memory stays bounded
whatever the number of runs. CSV and Parquet need their columns before the first row, so they
read the runs twice (first the keys, then the rows); JSONL reads them once. Runs that start
between the two passes may be written without the columns of keys first seen in them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from trackd.client import TrackingClient

from .progress import Progress
from .records import RunRecord
from .source import Columns, RunSource
from .writers import CsvWriter, JsonlWriter, ParquetWriter, RecordWriter

FORMATS = ("csv", "parquet", "jsonl")
__all__ = ["FORMATS", "export_runs"]


def export_runs(
    tracking_uri: str | None,
    experiment: str,
    output: str,
    fmt: str,
    filter_text: str = "",
    progress_stream: TextIO | None = None,
) -> int:
    """Writes the runs of experiment `experiment` (by name) that match `filter_text` to
    `output` in format `fmt` (one of FORMATS); returns the number of runs written.
    `tracking_uri` None means what `TrackingClient()` would use. Raises the
    client's TrackdError subclasses (NotFoundError for an unknown experiment,
    InvalidArgumentError for a bad filter)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    client = TrackingClient(tracking_uri)
    try:
        source = RunSource(client, experiment, filter_text)
        columns = source.columns() if fmt != "jsonl" else Columns()
        stream = progress_stream if progress_stream is not None else sys.stderr
        progress = Progress(f"exporting {experiment}", columns.runs or None, stream)
        written = 0
        with _open_text(output, fmt) as text:
            writer = _writer(fmt, output, text, columns)
            try:
                for run in source.runs():
                    writer.write(RunRecord.from_run(run))
                    written += 1
                    progress.advance(1)
            finally:
                writer.close()
                progress.close()
        return written
    finally:
        client.close()


class _NoText:
    """Stands in for a text stream when the writer opens the file itself (Parquet)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


def _open_text(output: str, fmt: str) -> TextIO | _NoText:
    if fmt == "parquet":
        return _NoText()
    # newline="" lets the csv module write its own line endings, as it requires.
    return Path(output).open("w", encoding="utf-8", newline="")


def _writer(fmt: str, output: str, text: TextIO | None, columns: Columns) -> RecordWriter:
    if fmt == "parquet":
        return ParquetWriter(output, columns)
    assert text is not None
    if fmt == "csv":
        return CsvWriter(text, columns)
    return JsonlWriter(text)
