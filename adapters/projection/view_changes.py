"""Projection progress pushed to every process through PostgreSQL LISTEN/NOTIFY.

A projector announces its new position in the transaction that applies a batch,
so the announcement arrives exactly when the change is visible. Each HTTP
process follows the announcements in one background thread: queries waiting for
a position wake at once instead of polling, and small views can be served from
memory until their projection moves (each move starts a new generation).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict

import psycopg
from sqlalchemy import Connection, text

from adapters.sql.connection_names import connection_name
from adapters.sql.schema import VIEWS_SCHEMA

log = logging.getLogger(__name__)

CHANNEL = "accredit_views"
RECONNECT_SECONDS = 1.0


def announce(conn: Connection, projection: str, upstream: str, position: int) -> None:
    """Tells listening processes, at commit, that a projection has reached a position."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": f"{projection} {upstream} {position}"},
        )


class ViewChanges:
    """What this process knows of projection positions, kept current by notifications."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._positions: dict[tuple[str, str], int] = {}
        self._generations: defaultdict[str, int] = defaultdict(int)
        self._healthy = False
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def healthy(self) -> bool:
        """Whether notifications are being received (if not, callers read the database)."""
        return self._healthy

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="view-changes", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def generation(self, projection: str) -> int:
        """Changes whenever the projection moves, or notifications were interrupted."""
        return self._generations[projection]

    def wait_for(self, projection: str, upstream: str, target: int, timeout: float) -> bool | None:
        """True once reached, False on timeout, None if notifications are not flowing."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if not self._healthy:
                    return None
                if self._positions.get((projection, upstream), 0) >= target:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except Exception:
                log.exception("lost projection notifications; reconnecting")
            self._set_unhealthy()
            self._stop.wait(RECONNECT_SECONDS)

    def _follow(self) -> None:
        name = connection_name("view-changes")
        with psycopg.connect(self.conninfo, autocommit=True, application_name=name) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            # Listen first, then read: nothing committed in between is missed.
            rows = conn.execute(
                # The schema is our own constant, never input.
                f"SELECT projection, upstream, position FROM {VIEWS_SCHEMA}.projection_tracking"  # noqa: S608
            )
            with self._changed:
                for projection, upstream, position in rows:
                    self._positions[(projection, upstream)] = int(position)
                    self._generations[projection] += 1
                self._healthy = True
                self._changed.notify_all()
            while not self._stop.is_set():
                for note in conn.notifies(timeout=1.0):
                    self._apply(note.payload)

    def _apply(self, payload: str) -> None:
        projection, upstream, position = payload.split(" ")
        with self._changed:
            key = (projection, upstream)
            self._positions[key] = max(self._positions.get(key, 0), int(position))
            self._generations[projection] += 1
            self._changed.notify_all()

    def _set_unhealthy(self) -> None:
        with self._changed:
            self._healthy = False
            for projection in list(self._generations):
                self._generations[projection] += 1
            self._changed.notify_all()
