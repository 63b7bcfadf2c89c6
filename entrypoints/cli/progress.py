"""Progress of long catch-ups, rebuilds and replays, on standard error.

On a terminal a bar is redrawn in place with the rate and the time left. In a log
(a file, a pipe, journald) carriage returns turn into one endless line, so there
a plain line is written now and then, and one when the work is done.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 30
REDRAW_SECONDS = 0.1  # on a terminal
LINE_SECONDS = 10.0  # in a log: often enough to see it move, rare enough to read


class ProgressBar:
    """`platform [#####     ]  52%  10400/20000 domain events  5200/s  ETA 0:02`."""

    def __init__(
        self,
        label: str,
        total: int,
        stream: TextIO | None = None,
        *,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self._clock = clock
        self._started = clock()
        # A terminal shows the bar at once; a log's first line waits for a full interval,
        # so short work writes only its final line.
        self._shown = -math.inf if self.terminal else self._started
        self._width = 0

    def advance(self, count: int) -> None:
        self.done += count
        now = self._clock()
        if now - self._shown >= (REDRAW_SECONDS if self.terminal else LINE_SECONDS):
            self._shown = now
            self._show(now, final=False)

    def finish(self) -> None:
        self._show(self._clock(), final=True)

    def _show(self, now: float, *, final: bool) -> None:
        # The log may grow while we read it: the total is a floor, never a ceiling.
        total = max(self.total, self.done)
        share = self.done / total if total else 1.0
        elapsed = max(now - self._started, 0.0)
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if final:
            when = f"in {clock_time(elapsed)}"
        elif rate > 0:
            when = f"ETA {clock_time((total - self.done) / rate)}"
        else:
            when = "ETA --:--"
        figures = f"{share:4.0%}  {self.done}/{total} domain events  {rate:.0f}/s  {when}"
        if not self.terminal:
            self.stream.write(f"{self.label}: {figures.lstrip()}\n")
            self.stream.flush()
            return
        filled = round(share * WIDTH)
        line = f"{self.label} [{'#' * filled}{' ' * (WIDTH - filled)}] {figures}"
        # Spaces over whatever a longer previous line left behind.
        padding = " " * max(self._width - len(line), 0)
        self._width = len(line)
        self.stream.write(f"\r{line}{padding}" + ("\n" if final else ""))
        self.stream.flush()


def clock_time(seconds: float) -> str:
    """0:07, 12:30, 1:02:05."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
