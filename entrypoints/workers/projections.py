"""The projection worker: keeps every projection current, rebuilding one whose version changed."""

from __future__ import annotations

import logging
import threading

from adapters.projection.failures import ProjectionFailed
from adapters.projection.leadership import Leadership, leadership_for, wait_to_lead
from adapters.projection.rebuild import RebuildInterrupted, rebuild_if_outdated
from adapters.projection.sql_projection import SqlProjection
from entrypoints.wiring.container import Container

log = logging.getLogger("accredit.workers")
REBUILD_RETRY_SECONDS = 5.0


def follow_projection(
    container: Container, projection: SqlProjection, stop: threading.Event
) -> None:
    """Leads the projection when no other runner does: rebuilds it if need be, then follows."""
    leadership = leadership_for(projection.engine, projection.name, projection.version)
    describe = f"projection {projection.name} v{projection.version}"
    try:
        while wait_to_lead(leadership, stop, describe):
            try:
                _lead(container, projection, stop, leadership)
            finally:
                leadership.step_down()
            if not stop.is_set():
                log.warning("%s: lost the lead", describe)
    finally:
        leadership.close()


def _lead(
    container: Container,
    projection: SqlProjection,
    stop: threading.Event,
    leadership: Leadership,
) -> None:
    if not _rebuild_if_outdated(projection, stop, leadership):
        return
    wakeup = container.wakeup(projection)
    try:
        projection.runner().run_forever(stop, wakeup, leadership.leading)
    finally:
        wakeup.close()


def _rebuild_if_outdated(
    projection: SqlProjection, stop: threading.Event, leadership: Leadership
) -> bool:
    """True once the live tables are of this version; False if stopped or no longer leading."""
    while not stop.is_set() and leadership.leading():
        try:
            rebuild_if_outdated(projection, stop=stop)
            return True
        except RebuildInterrupted:
            return False
        except ProjectionFailed as exc:
            # Recorded where /health/projections and /ready see it; retried with backoff.
            failure = exc.failure
            if failure.attempts == 1:
                log.exception("rebuilding: %s; retrying with backoff", exc)
            else:
                log.warning("rebuilding: %s; retrying with backoff", exc)
            stop.wait(max(0.0, (failure.retry_at - failure.last_failed_at).total_seconds()))
        except Exception:
            log.exception("rebuilding projection %s failed; retrying", projection.name)
            stop.wait(REBUILD_RETRY_SECONDS)
    return False


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
