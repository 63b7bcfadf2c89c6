"""The scan decider: one process decides every scan, handed to it by the HTTP workers.

It runs where the scans are decided by a worker (PostgreSQL, ACCREDIT_SCAN_DECIDER
worker, the default there). It leads like a projection runner: a second one stands
by and takes over as soon as the first one's session ends, rebuilding every gate
from the access log. The gate logs' versions fence the two: one that lost the lead
without noticing cannot record a decision the new leader has not seen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from adapters.access.scan_channel import ScanServer
from adapters.access.scan_desk import ScanDesk
from adapters.projection.leadership import leadership_for, wait_to_lead
from adapters.projection.pg_leadership import conninfo_of
from domain.access.application import AccessApplication
from domain.shared.application import Position
from entrypoints.wiring.container import Container

log = logging.getLogger("accredit.workers")

LEADERSHIP = ("scan-decider", 1)
RETRY_SECONDS = 1.0


def note_positions(c: Container) -> Callable[[str, list[Position]], None]:
    """How a desk records where a key's scans got to: not flushed before the answer.

    A read-your-writes note lost in a crash only lets the key's next read wait for
    less; flushing it would cost every batch of scans a second disk flush.
    """

    def note(key_id: str, positions: list[Position]) -> None:
        c.key_positions.record(key_id, positions, durable=False)

    return note


def run_scan_decider(container: Container, stop: threading.Event) -> None:
    """Decides scans while leading, when the settings have a worker decide them."""
    if not container.settings.scans_by_worker:
        log.info("scans are decided by the HTTP workers (ACCREDIT_SCAN_DECIDER inline)")
        stop.wait()
        return
    describe = "scan decider"
    conninfo = conninfo_of(container.service_engine)
    leadership = leadership_for(container.engine, *LEADERSHIP)
    try:
        while wait_to_lead(leadership, stop, describe):
            # A new desk each time it leads: the gates are rebuilt from the log.
            # Positions are noted by the server, with the answers (see ScanServer).
            desk = ScanDesk(container.app(AccessApplication))
            try:
                server = ScanServer(desk, conninfo)
                server.serve(stop, leadership.leading)
            except Exception:
                log.exception("%s failed; starting again", describe)
                stop.wait(RETRY_SECONDS)
            finally:
                leadership.step_down()
    finally:
        leadership.close()
