"""Runs a projector over its upstream notification logs, in batches, exactly once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from sqlalchemy import Connection, Engine, update

from adapters.database import dialect_insert, write_transaction
from adapters.tracking import projection_tracking, read_position, read_position_or_none
from adapters.view_changes import announce
from projections.projector import Projector

V = TypeVar("V")


class _Overtaken(Exception):
    """The tracking position moved under us: roll the batch back."""


log = logging.getLogger(__name__)


class ProjectionRunner(Generic[V]):
    """Applies a projector's view changes and its tracking position in one transaction.

    The tracking row is advanced only from the position the batch started at, so a
    second runner of the same projection can never apply a batch twice: its update
    finds the position moved and its transaction rolls back.
    """

    def __init__(
        self,
        engine: Engine,
        projector: Projector[V],
        view: Callable[[Connection], V],
        upstreams: Mapping[str, Application[Any]],
        batch_size: int = 1000,
    ) -> None:
        self.engine = engine
        self.projector = projector
        self.view = view
        self.upstreams = {name: upstreams[name] for name in projector.upstream}
        self.batch_size = batch_size
        self.topics = frozenset(projector.topics())
        self._ensure_tracking_rows()

    @property
    def name(self) -> str:
        return self.projector.name

    def _ensure_tracking_rows(self) -> None:
        values = [
            {
                "projection": self.name,
                "upstream": u,
                "position": 0,
                "version": self.projector.version,
            }
            for u in self.upstreams
        ]
        insert = dialect_insert(self.engine, projection_tracking)
        with write_transaction(self.engine) as conn:
            conn.execute(insert.values(values).on_conflict_do_nothing())

    def run_batch(self) -> int:
        """Processes at most one batch from each upstream; returns how many were read."""
        return sum(self._run_upstream_batch(name) for name in self.upstreams)

    def _run_upstream_batch(self, upstream: str) -> int:
        app = self.upstreams[upstream]
        while True:
            with self.engine.connect() as conn:
                start = read_position(conn, self.name, upstream)
            notifications = app.recorder.select_notifications(
                start=start, limit=self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                return 0
            try:
                self._apply(app, upstream, start, notifications)
            except _Overtaken:
                # Another runner applied this batch; what follows it may still be unread,
                # so read on from where that runner got to rather than report "no more".
                continue
            return len(notifications)

    def _apply(
        self,
        app: Application[Any],
        upstream: str,
        start: int,
        notifications: Sequence[Notification],
    ) -> None:
        with write_transaction(self.engine) as conn:
            moved = conn.execute(
                update(projection_tracking)
                .where(
                    projection_tracking.c.projection == self.name,
                    projection_tracking.c.upstream == upstream,
                    projection_tracking.c.position == start,
                )
                .values(position=notifications[-1].id)
            ).rowcount
            if moved != 1:
                if read_position_or_none(conn, self.name, upstream) is None:
                    raise LookupError(f"projection {self.name} has no tracking row for {upstream}")
                # Another runner got there first and has applied these.
                raise _Overtaken
            view = self.view(conn)
            for notification in notifications:
                if self.projector.all_events or notification.topic in self.topics:
                    self.projector.project(app.mapper.to_domain_event(notification), view)
            announce(conn, self.name, upstream, notifications[-1].id)

    def catch_up(self) -> int:
        """Runs batches until every upstream is exhausted; returns events read."""
        total = 0
        while count := self.run_batch():
            total += count
        return total

    def run_forever(self, stop: threading.Event, poll_seconds: float) -> None:
        """Follows the upstream logs until told to stop."""
        while not stop.is_set():
            try:
                if self.run_batch() == 0:
                    stop.wait(poll_seconds)
            except Exception:
                log.exception("projection %s failed a batch; retrying", self.name)
                stop.wait(max(poll_seconds, 1.0))
