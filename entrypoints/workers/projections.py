"""The projection worker: keeps every projection current, rebuilding one whose version changed."""

from __future__ import annotations

import logging
import threading

from adapters.projection.rebuild import RebuildInterrupted, rebuild_if_outdated
from adapters.projection.sql_projection import SqlProjection
from entrypoints.wiring.container import Container

log = logging.getLogger("accredit.workers")
REBUILD_RETRY_SECONDS = 5.0


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


def run_projections(container: Container, stop: threading.Event) -> None:
    """Follows every upstream log and keeps every projection current until stopped."""
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
