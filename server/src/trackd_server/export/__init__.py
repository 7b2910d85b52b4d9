"""`trackd runs export`: the runs of an experiment to CSV, Parquet or JSON Lines.

Streamed from a trackd server through the search API, page by page: memory stays bounded
whatever the number of runs. CSV and Parquet need their columns before the first row, so they
read the runs twice (first the keys, then the rows); JSONL reads them once. Runs that start
between the two passes may be written without the columns of keys first seen in them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from trackd._transport import Transport

from .progress import Progress
from .records import RunRecord
from .source import Columns, RunSource, export_mask
from .writers import CsvWriter, JsonlWriter, ParquetWriter, RecordWriter

FORMATS = ("csv", "parquet", "jsonl")


def export_runs(
    tracking_uri: str,
    experiment: str,
    output: str,
    fmt: str,
    filter_text: str = "",
    progress_stream: TextIO | None = None,
) -> int:
    """Writes the runs of experiment `experiment` (by name) that match `filter_text` to
    `output` in format `fmt` (one of FORMATS); returns the number of runs written. Raises the
    client's TrackdError subclasses (NotFoundError for an unknown experiment,
    InvalidArgumentError for a bad filter)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    transport = Transport(tracking_uri)
    try:
        source = RunSource(transport, experiment, filter_text)
        columns = source.columns() if fmt != "jsonl" else Columns()
        stream = progress_stream if progress_stream is not None else sys.stderr
        progress = Progress(f"exporting {experiment}", columns.runs or None, stream)
        written = 0
        with _open_text(output, fmt) as text:
            writer = _writer(fmt, output, text, columns)
            try:
                for page in source.pages(export_mask()):
                    for run in page:
                        writer.write(RunRecord.from_proto(run))
                    written += len(page)
                    progress.advance(len(page))
            finally:
                writer.close()
                progress.close()
        return written
    finally:
        transport.close()


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
