"""A function run every few seconds by a daemon thread, until it is stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

STOP_SECONDS = 10.0


class Periodic:
    """Calls `run` every `seconds` on a thread of its own; an error is logged, not fatal.

    The thread is a daemon so that a process which never stops it can still exit; a
    clean shutdown calls stop(), which returns once a run in progress has finished.
    """

    def __init__(self, name: str, seconds: float, run: Callable[[], None]) -> None:
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        self.name = name
        self.seconds = seconds
        self.run = run
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Starts the thread; calling it again while it runs does nothing."""
        with self._lock:
            if self._thread is not None or self._stop.is_set():
                return
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stops the thread after the run in progress, if any; it does not start again."""
        with self._lock:
            self._stop.set()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_SECONDS)

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self.run()
            except Exception:
                # One failed run must not end the schedule: the next one may succeed.
                logger.exception("%s failed; trying again in %.1f s", self.name, self.seconds)
