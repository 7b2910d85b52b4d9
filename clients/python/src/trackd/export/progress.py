"""A one-line progress report on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

# Redrawing more often only costs time; people cannot read faster.
_REDRAW_SECONDS = 0.2
_BAR_WIDTH = 30


class Progress:
    """Counts exported runs; draws `label [#####.....] done/total` (or `label done` when the
    total is unknown) on a terminal, and nothing otherwise."""

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._label = label
        self._total = total
        self._done = 0
        self._drawn_at = 0.0

    def advance(self, count: int) -> None:
        self._done += count
        now = time.monotonic()
        if self._enabled and now - self._drawn_at >= _REDRAW_SECONDS:
            self._drawn_at = now
            self._draw()

    def close(self) -> None:
        if self._enabled:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self) -> None:
        if self._total:
            filled = min(_BAR_WIDTH, _BAR_WIDTH * self._done // self._total)
            bar = "#" * filled + "." * (_BAR_WIDTH - filled)
            text = f"{self._label} [{bar}] {self._done}/{self._total} runs"
        else:
            text = f"{self._label} {self._done} runs"
        self._stream.write("\r" + text)
        self._stream.flush()
