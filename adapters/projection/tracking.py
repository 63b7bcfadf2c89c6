"""How far each projection has read each upstream application's notification log."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Connection, Engine, Integer, String, Table, select

from adapters.projection.view_changes import ViewChanges
from adapters.sql.reader import Reader
from adapters.sql.schema import VIEWS_SCHEMA, metadata
from domain.shared.application import Position

# Beside the views it tracks: a batch commits its view changes and its position in
# one transaction, which on SQLite must mean one file.
projection_tracking = Table(
    "projection_tracking",
    metadata,
    Column("projection", String(100), primary_key=True, comment="The projection's name"),
    Column(
        "upstream",
        String(100),
        primary_key=True,
        comment="An application whose domain events the projection reads",
    ),
    Column(
        "position",
        BigInteger,
        nullable=False,
        comment="The last notification id of that application applied to the tables",
    ),
    Column(
        "version",
        Integer,
        nullable=False,
        comment="The projection version the tables were built by",
    ),
    schema=VIEWS_SCHEMA,
    comment="How current each projection table is: compare position with the event store",
)


@dataclass(frozen=True)
class Tracked:
    """A projection's stored tracking row for one upstream."""

    position: int
    version: int


def read_position_or_none(conn: Connection, projection: str, upstream: str) -> int | None:
    """The last notification id the projection applied, or None if it has no tracking row."""
    position = conn.execute(
        select(projection_tracking.c.position).where(
            projection_tracking.c.projection == projection,
            projection_tracking.c.upstream == upstream,
        )
    ).scalar_one_or_none()
    return None if position is None else int(position)


def read_position(conn: Connection, projection: str, upstream: str) -> int:
    """The last notification id the projection applied; 0 before it has applied any."""
    return read_position_or_none(conn, projection, upstream) or 0


class Positions:
    """Reads projection positions, and waits for one to reach what a command returned."""

    def __init__(
        self,
        engine: Engine | Reader,
        poll_seconds: float = 0.02,
        changes: ViewChanges | None = None,
    ) -> None:
        self.reader = Reader.of(engine)
        self.poll_seconds = poll_seconds
        self.changes = changes

    def current(self, projection: str, upstream: str) -> int:
        with self.reader.connect() as conn:
            return read_position(conn, projection, upstream)

    def wait_for(self, projection: str, wanted: Iterable[Position], timeout: float) -> bool:
        """True once the projection has processed every wanted position, False on timeout."""
        pending: dict[str, int] = {}
        for p in wanted:
            # Several positions in one log: the furthest is the one to wait for.
            pending[p.application] = max(p.notification_id, pending.get(p.application, 0))
        deadline = time.monotonic() + timeout
        if self.changes is not None:
            # Woken by notifications; falls back to polling if they stop flowing.
            for upstream, target in list(pending.items()):
                left = max(0.0, deadline - time.monotonic())
                reached = self.changes.wait_for(projection, upstream, target, left)
                if reached is False:
                    return False
                if reached:
                    del pending[upstream]
        while True:
            for upstream, target in list(pending.items()):
                if self.current(projection, upstream) >= target:
                    del pending[upstream]
            if not pending:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.poll_seconds)
