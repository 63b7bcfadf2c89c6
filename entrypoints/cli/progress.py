"""A plain-text progress bar on standard error, for long catch-ups and rebuilds."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
REDRAW_SECONDS = 0.1


class ProgressBar:
    """`\\r[#####     ] 52%  10400/20000 events  5200 ev/s`, redrawn at most ten times a second."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream or sys.stderr
        self._started = time.monotonic()
        self._drawn = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn >= REDRAW_SECONDS:
            self._drawn = now
            self._draw(now)

    def finish(self) -> None:
        self._draw(time.monotonic())
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self, now: float) -> None:
        # The log may grow while we read it: the total is a floor, never a ceiling.
        total = max(self.total, self.done)
        share = self.done / total if total else 1.0
        filled = round(share * WIDTH)
        rate = self.done / max(now - self._started, 1e-9)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{' ' * (WIDTH - filled)}] {share:4.0%}  "
            f"{self.done}/{total} events  {rate:.0f} ev/s"
        )
        self.stream.flush()
