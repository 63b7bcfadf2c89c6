"""One runner leads each projection version; the others stand by until it is gone.

Without a leader every runner of a projection reads and decodes each batch, and
all but one then roll it back at the tracking guard. With one, the others only
try, at a bounded interval, to take the lead, which they get as soon as the
leader's process dies (PostgreSQL ends its session; the kernel drops its flock).
The tracking guard stays as the safety net: a leader that lost its lock without
noticing yet wastes at most a batch, it never applies one twice.

The lock is per projection *version*: in a rolling upgrade the runners of the old
version keep following the live tables while one of the new version rebuilds.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from sqlalchemy import Engine

from adapters.projection.file_leadership import FileLeadership, file_leader, leader_lock_path
from adapters.projection.leader import Leader
from adapters.projection.pg_leadership import PostgresLeadership, conninfo_of, postgres_leader

log = logging.getLogger(__name__)

# How often a runner standing by tries to take the lead: the longest a dead
# leader's projection waits once its lock is gone.
STANDBY_RETRY_SECONDS = 1.0


class Leadership(Protocol):
    """A runner's claim to lead one projection version."""

    def try_lead(self) -> bool:
        """Takes the lead if no one holds it; True while this runner leads."""

    def leading(self) -> bool:
        """Whether this runner still leads (False once its lock is gone)."""

    def step_down(self) -> None:
        """Gives the lead back, for a runner standing by to take."""

    def close(self) -> None: ...


def leadership_for(engine: Engine, name: str, version: int) -> Leadership:
    """The lead of one projection version over the views of this engine."""
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(conninfo_of(engine), name, version)
    return FileLeadership(leader_lock_path(engine, name, version))


def leader_of(engine: Engine, name: str, version: int) -> Leader | None:
    """Which process leads the projection version now, as any process can see it."""
    if engine.dialect.name == "postgresql":
        return postgres_leader(engine, name, version)
    return file_leader(leader_lock_path(engine, name, version))


def wait_to_lead(
    leadership: Leadership,
    stop: threading.Event,
    describe: str,
    retry_seconds: float = STANDBY_RETRY_SECONDS,
) -> bool:
    """Stands by until this runner leads (True) or `stop` is set (False)."""
    standing_by = False
    while not stop.is_set():
        if leadership.try_lead():
            log.info("%s: this runner leads", describe)
            return True
        if not standing_by:
            log.info("%s: another runner leads; standing by", describe)
            standing_by = True
        stop.wait(retry_seconds)
    return False
