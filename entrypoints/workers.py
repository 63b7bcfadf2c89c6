"""Background worker processes, each runnable alone: `accredit worker NAME`."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from adapters.settings import Settings
from entrypoints.container import build

log = logging.getLogger("accredit.workers")


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        log.info("worker received %s; finishing the current batch", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def run_projections(settings: Settings, stop: threading.Event) -> None:
    """Follows every upstream log and keeps every projection current until stopped."""
    container = build(settings)
    try:
        threads = [
            threading.Thread(
                target=runner.run_forever,
                args=(stop, settings.poll_interval_seconds),
                name=f"projection-{runner.name}",
            )
            for runner in container.projection_runners()
        ]
        for thread in threads:
            thread.start()
        log.info("projections running: %s", ", ".join(t.name for t in threads))
        stop.wait()
        for thread in threads:
            thread.join()
    finally:
        container.close()


WORKERS: dict[str, Callable[[Settings, threading.Event], None]] = {
    "projections": run_projections,
}


def run_worker(name: str, settings: Settings) -> None:
    """Runs one named worker in this process until SIGTERM or SIGINT."""
    stop = threading.Event()
    _stop_on_signals(stop)
    WORKERS[name](settings, stop)
