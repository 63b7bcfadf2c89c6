"""How an idle projector learns that its upstream logs may have grown.

On PostgreSQL the event store's recorder sends a NOTIFY on a channel named after
its table in every transaction that records domain events; a projector LISTENs on
its upstreams' channels and reads as soon as one arrives. SQLite has nothing of the
kind, so there the projector polls.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import psycopg
from eventsourcing.application import Application
from eventsourcing.postgres import PostgresApplicationRecorder

from adapters.sql.connection_names import connection_name

log = logging.getLogger(__name__)

# A missed notification (none should be) delays a projector by at most this long.
LISTEN_FALLBACK_SECONDS = 5.0
STOP_CHECK_SECONDS = 0.5


class Wakeup(Protocol):
    def wait(self, stop: threading.Event) -> None:
        """Returns when new domain events may have been recorded, or once `stop` is set."""

    def close(self) -> None: ...


class PollWakeup:
    """Wakes after a fixed interval."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def wait(self, stop: threading.Event) -> None:
        stop.wait(self.seconds)

    def close(self) -> None:
        pass


class ListenWakeup:
    """Wakes when PostgreSQL delivers a notification on one of the channels."""

    def __init__(
        self,
        conninfo: str,
        channels: Iterable[str],
        fallback_seconds: float = LISTEN_FALLBACK_SECONDS,
    ) -> None:
        self.conninfo = conninfo
        self.channels = sorted(set(channels))
        self.fallback_seconds = fallback_seconds
        self._conn: psycopg.Connection[Any] | None = None

    def wait(self, stop: threading.Event) -> None:
        if self._conn is None or self._conn.closed:
            self._listen(stop)
            # Whatever was recorded before the LISTEN started sent no notification we
            # can still receive: the caller reads once more before waiting.
            return
        deadline = time.monotonic() + self.fallback_seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                for _ in self._conn.notifies(timeout=min(left, STOP_CHECK_SECONDS), stop_after=1):
                    return
            except psycopg.Error:
                log.warning("lost the connection that listens for new domain events")
                self.close()
                return

    def _listen(self, stop: threading.Event) -> None:
        try:
            name = connection_name("wakeup")
            self._conn = psycopg.connect(self.conninfo, autocommit=True, application_name=name)
            for channel in self.channels:
                self._conn.execute(f'LISTEN "{channel}"')
        except psycopg.Error:
            log.warning("cannot listen for new domain events; polling until it can")
            self.close()
            stop.wait(STOP_CHECK_SECONDS)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def wakeup_for(
    upstreams: Mapping[str, Application[Any]], conninfo: str | None, poll_seconds: float
) -> Wakeup:
    """Listens when every upstream is a PostgreSQL event store, polls otherwise."""
    recorders = [app.recorder for app in upstreams.values()]
    if conninfo is None or not all(isinstance(r, PostgresApplicationRecorder) for r in recorders):
        return PollWakeup(poll_seconds)
    channels = [r.channel_name for r in recorders if isinstance(r, PostgresApplicationRecorder)]
    return ListenWakeup(conninfo, channels)
