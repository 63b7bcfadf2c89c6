"""Runs the processes one machine needs, restarts any that dies, stops them all on SIGTERM."""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

log = logging.getLogger("accredit.supervisor")

STEADY_SECONDS = 30.0  # a child that lived this long restarts without delay


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = 0.5
    restart_at: float | None = None
    restarts: int = field(default=0)


class Supervisor:
    """Keeps each child running until told to stop, then stops them in order."""

    def __init__(
        self,
        children: Sequence[Child],
        env: Mapping[str, str],
        stop_timeout: float = 30.0,
        max_backoff: float = 30.0,
        on_restart: Callable[[str], None] | None = None,
    ) -> None:
        self.children = list(children)
        self.env = dict(env)
        self.stop_timeout = stop_timeout
        self.max_backoff = max_backoff
        # Told the name of each child restarted (for metrics).
        self.on_restart = on_restart
        self._stopping = False

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(child.argv, env=self.env)  # noqa: S603
        child.started_at = time.monotonic()
        child.restart_at = None
        log.info("started %s pid=%d", child.name, child.process.pid)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        del frame
        log.info("received %s; stopping", signal.Signals(signum).name)
        self._stopping = True

    def _check(self, child: Child) -> None:
        now = time.monotonic()
        if child.process is None:
            if child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self._start(child)
                if self.on_restart is not None:
                    self.on_restart(child.name)
            return
        code = child.process.poll()
        if code is None:
            return
        lived = now - child.started_at
        child.backoff = 0.5 if lived >= STEADY_SECONDS else min(child.backoff * 2, self.max_backoff)
        log.warning(
            "%s pid=%d exited with %s after %.1fs; restarting in %.1fs",
            child.name,
            child.process.pid,
            code,
            lived,
            child.backoff,
        )
        child.process = None
        child.restart_at = now + child.backoff

    def run(self) -> int:
        """Runs until SIGTERM or SIGINT; returns the exit status for the command."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        for child in self.children:
            self._start(child)
        while not self._stopping:
            for child in self.children:
                self._check(child)
            time.sleep(0.1)
        self._stop_all()
        return 0

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.process is not None]
        for child in running:
            assert child.process is not None
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("%s did not stop in time; killing it", child.name)
                child.process.kill()
                child.process.wait()
        log.info("all processes stopped")
