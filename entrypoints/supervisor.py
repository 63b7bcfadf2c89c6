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

EXIT_GAVE_UP = 1


@dataclass(frozen=True)
class RestartPolicy:
    """When a child that exited is started again, and when starting it is hopeless."""

    first_backoff: float = 0.5
    max_backoff: float = 30.0
    steady_seconds: float = 30.0  # a child that lived this long restarts without delay
    # A child that exits sooner than this never got going (a taken port, a bad setting):
    # restarting it cannot help once it has failed `give_up_after` times in a row.
    startup_seconds: float = 15.0
    give_up_after: int = 5


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float | None = None
    restart_at: float | None = None
    restarts: int = field(default=0)
    # Once a child has run past its start-up, a later death is an outage to outlast
    # (a database restarting), so it is restarted however often it dies.
    has_run: bool = False
    failed_starts: int = 0

    def exited(self, lived: float, policy: RestartPolicy) -> float | None:
        """Seconds to wait before starting it again, or None to give up on it."""
        if lived >= policy.startup_seconds:
            self.has_run = True
            self.failed_starts = 0
        else:
            self.failed_starts += 1
            if not self.has_run and self.failed_starts >= policy.give_up_after:
                return None
        if lived >= policy.steady_seconds or self.backoff is None:
            self.backoff = policy.first_backoff
        else:
            self.backoff = min(self.backoff * 2, policy.max_backoff)
        return self.backoff


class Supervisor:
    """Keeps each child running until told to stop, then stops them in order."""

    def __init__(
        self,
        children: Sequence[Child],
        env: Mapping[str, str],
        stop_timeout: float = 30.0,
        policy: RestartPolicy | None = None,
        on_restart: Callable[[str], None] | None = None,
    ) -> None:
        self.children = list(children)
        self.env = dict(env)
        self.stop_timeout = stop_timeout
        self.policy = policy or RestartPolicy()
        # Told the name of each child restarted (for metrics).
        self.on_restart = on_restart
        self._stopping = False
        self._status = 0

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
        pid = child.process.pid
        child.process = None
        delay = child.exited(lived, self.policy)
        if delay is None:
            log.error(
                "%s exited with %s %d times in a row, each within %.0fs of starting, and never "
                "ran; giving up and stopping everything (its own messages above say why)",
                child.name,
                code,
                child.failed_starts,
                self.policy.startup_seconds,
            )
            self._status = EXIT_GAVE_UP
            self._stopping = True
            return
        log.warning(
            "%s pid=%d exited with %s after %.1fs; restarting in %.1fs",
            child.name,
            pid,
            code,
            lived,
            delay,
        )
        child.restart_at = now + delay

    def run(self) -> int:
        """Runs until SIGTERM or SIGINT, or a child that cannot start; returns the exit status."""
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            for child in self.children:
                self._start(child)
            while not self._stopping:
                for child in self.children:
                    self._check(child)
                    if self._stopping:
                        break
                time.sleep(0.1)
            self._stop_all()
        finally:
            for signum, handler in previous.items():
                if handler is not None:  # None: installed outside Python, cannot be restored
                    signal.signal(signum, handler)
        return self._status

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
