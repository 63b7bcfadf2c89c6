"""Background worker processes, each runnable alone: `accredit worker NAME`."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from adapters.rebuild import RebuildInterrupted, rebuild_if_outdated
from adapters.settings import Settings
from adapters.sql_projection import SqlProjection
from entrypoints.container import Container, build

log = logging.getLogger("accredit.workers")
REBUILD_RETRY_SECONDS = 5.0


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        log.info("worker received %s; finishing the current batch", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def follow_projection(
    container: Container, projection: SqlProjection, stop: threading.Event
) -> None:
    """Rebuilds the projection if its version changed, then follows its upstream logs."""
    while not stop.is_set():
        try:
            rebuild_if_outdated(projection, stop=stop)
            break
        except RebuildInterrupted:
            return
        except Exception:
            log.exception("rebuilding projection %s failed; retrying", projection.name)
            stop.wait(REBUILD_RETRY_SECONDS)
    wakeup = container.wakeup(projection)
    try:
        projection.runner().run_forever(stop, wakeup)
    finally:
        wakeup.close()


def run_projections(settings: Settings, stop: threading.Event) -> None:
    """Follows every upstream log and keeps every projection current until stopped."""
    with build(settings) as container:
        threads = [
            threading.Thread(
                target=follow_projection,
                args=(container, projection, stop),
                name=f"projection-{projection.name}",
            )
            for projection in container.sql_projections()
        ]
        for thread in threads:
            thread.start()
        log.info("projections running: %s", ", ".join(t.name for t in threads))
        stop.wait()
        for thread in threads:
            thread.join()


WORKERS: dict[str, Callable[[Settings, threading.Event], None]] = {
    "projections": run_projections,
}


def run_worker(name: str, settings: Settings) -> None:
    """Runs one named worker in this process until SIGTERM or SIGINT."""
    stop = threading.Event()
    _stop_on_signals(stop)
    WORKERS[name](settings, stop)
