"""Runs a projector over its upstream notification logs, in batches, exactly once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, NoReturn, TypeVar

from eventsourcing.application import Application
from eventsourcing.utils import resolve_topic
from sqlalchemy import Connection, Engine, select, update

from adapters.projection.batch_decoder import BatchDecoder
from adapters.projection.failures import (
    ProjectionFailed,
    clear_failures,
    describe,
    record_failure,
)
from adapters.projection.notification_log import Recorded, read_notifications
from adapters.projection.sql_view import SqlView
from adapters.projection.tracking import projection_tracking, read_position
from adapters.projection.view_changes import announce
from adapters.projection.wakeup import Wakeup
from adapters.sql.transactions import dialect_insert, write_transaction
from domain.shared.application import Position
from projections.projector import Projector

V = TypeVar("V")
VERSION_CHECK_SECONDS = 30.0


class _Overtaken(Exception):
    """The tracking position moved under us: roll the batch back."""


class ProjectionVersionChanged(RuntimeError):
    """The stored projection is of another version than this code: it needs a rebuild."""


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
        *,
        announce: bool = True,
        failures: Engine | None = None,
    ) -> None:
        self.engine = engine
        self.projector = projector
        self.view = view
        self.upstreams = {name: upstreams[name] for name in projector.upstream}
        self.batch_size = batch_size
        # A build in scratch tables tells no one: its positions are not the live ones.
        self.announce = announce
        self._wanted: dict[str, bool] = {}  # stored topic -> whether the projector handles it
        # A domain event a runner cannot apply is recorded for every process to see: by
        # a live runner beside its tables, by a rebuild's in the live tables it names
        # (`failures`), since the live view waits for that build to be swapped in.
        self.failures_engine = failures if failures is not None else engine if announce else None
        self.records_failures = self.failures_engine is not None
        # Upstreams whose next batch clears a recorded failure: each after it failed, and
        # each once at first, for a failure a runner before this one recorded.
        self._may_have_failed: set[str] = set(self.upstreams)
        self._decoders: dict[str, BatchDecoder] = {}
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

    def run_batch(self, until: Mapping[str, int] | None = None) -> int:
        """Processes at most one batch from each upstream; returns how many were read.

        `until` bounds the positions to reach in some upstreams (a verification replays
        the history up to where the live tables are).
        """
        until = until or {}
        return sum(self._run_upstream_batch(name, until.get(name)) for name in self.upstreams)

    def _run_upstream_batch(self, upstream: str, until: int | None) -> int:
        app = self.upstreams[upstream]
        while True:
            with self.engine.connect() as conn:
                start = read_position(conn, self.name, upstream)
            if until is not None and start >= until:
                return 0
            notifications = read_notifications(app, start, self.batch_size, until)
            if not notifications:
                return 0
            try:
                self._apply(app, upstream, start, notifications)
            except _Overtaken:
                # Another runner applied this batch; what follows it may still be unread,
                # so read on from where that runner got to rather than report "no more".
                continue
            except (ProjectionVersionChanged, LookupError):
                raise
            except Exception:
                return self._one_by_one(app, upstream, start, notifications)
            return len(notifications)

    def _one_by_one(
        self, app: Application[Any], upstream: str, start: int, notifications: Sequence[Recorded]
    ) -> int:
        """Applies a batch that failed one domain event at a time, up to the one that fails.

        What precedes it is applied, so the projection stops exactly before the domain
        event it cannot apply, and the failure names that event's position.
        """
        for count, notification in enumerate(notifications):
            try:
                self._apply(app, upstream, start, [notification])
            except _Overtaken:
                return count
            except (ProjectionVersionChanged, LookupError):
                raise
            except Exception as error:
                if not self.records_failures:
                    raise
                assert self.failures_engine is not None
                failure = record_failure(
                    self.failures_engine,
                    self.name,
                    upstream,
                    self.projector.version,
                    notification.id,
                    describe(error),
                )
                self._may_have_failed.add(upstream)
                raise ProjectionFailed(failure) from error
            start = notification.id
        return len(notifications)

    def _apply(
        self,
        app: Application[Any],
        upstream: str,
        start: int,
        notifications: Sequence[Recorded],
    ) -> None:
        # Decoded before the write transaction: on SQLite it holds the views' write lock.
        wanted = [n for n in notifications if self._handles(n.topic)]
        decoded = self._decoder(upstream, app).decode(wanted)
        with write_transaction(self.engine) as conn:
            moved = conn.execute(
                update(projection_tracking)
                .where(
                    projection_tracking.c.projection == self.name,
                    projection_tracking.c.upstream == upstream,
                    projection_tracking.c.position == start,
                    projection_tracking.c.version == self.projector.version,
                )
                .values(position=notifications[-1].id)
            ).rowcount
            if moved != 1:
                self._explain_refusal(conn, upstream)
            view = self.view(conn)
            if isinstance(view, SqlView):
                # What the view changes will read is read for the whole batch, in a few
                # statements, not once per domain event as each change meets it.
                view.prefetch(decoded)
            for notification, domain_event in zip(wanted, decoded, strict=True):
                self.projector.project_recorded(
                    Position(upstream, notification.id), notification.topic, domain_event, view
                )
            if isinstance(view, SqlView):
                view.flush()
            clears = self.records_failures and upstream in self._may_have_failed
            if clears and self.failures_engine is self.engine:
                # Past the failure, in the same commit: the tables and the failure agree.
                clear_failures(conn, self.name, upstream)
            if self.announce:
                announce(conn, self.name, upstream, notifications[-1].id)
        if clears:
            if self.failures_engine is not None and self.failures_engine is not self.engine:
                # A build's tables are elsewhere: past the failure, it is forgotten after.
                with write_transaction(self.failures_engine) as conn:
                    clear_failures(conn, self.name, upstream)
            self._may_have_failed.discard(upstream)

    def _handles(self, topic: str) -> bool:
        # Topics are resolved to classes, not compared as text: a domain event stored
        # under an earlier name of its class (moved or renamed) is still the same class.
        handled = self._wanted.get(topic)
        if handled is None:
            handled = self._wanted[topic] = self.projector.handles(resolve_topic(topic))
        return handled

    def _decoder(self, upstream: str, app: Application[Any]) -> BatchDecoder:
        decoder = self._decoders.get(upstream)
        if decoder is None:
            decoder = self._decoders[upstream] = BatchDecoder(app.mapper)
        return decoder

    def _explain_refusal(self, conn: Connection, upstream: str) -> NoReturn:
        row = conn.execute(
            select(projection_tracking.c.version).where(
                projection_tracking.c.projection == self.name,
                projection_tracking.c.upstream == upstream,
            )
        ).one_or_none()
        if row is None:
            raise LookupError(f"projection {self.name} has no tracking row for {upstream}")
        if row.version != self.projector.version:
            raise ProjectionVersionChanged(
                f"projection {self.name} is stored at version {row.version}, "
                f"this code has version {self.projector.version}: rebuild it"
            )
        # Another runner got there first and has applied these.
        raise _Overtaken

    def catch_up(
        self,
        until: Mapping[str, int] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Runs batches until every upstream is exhausted (or at `until`); returns events read."""
        total = 0
        while count := self.run_batch(until):
            total += count
            if on_progress is not None:
                on_progress(count)
        return total

    def run_forever(
        self,
        stop: threading.Event,
        wakeup: Wakeup,
        leading: Callable[[], bool] = lambda: True,
    ) -> None:
        """Follows the upstream logs, woken when they may have grown, while `leading`."""
        failed_at: tuple[str, int] | None = None
        while not stop.is_set() and leading():
            try:
                if self.run_batch() == 0:
                    wakeup.wait(stop)
                failed_at = None
            except ProjectionVersionChanged as exc:
                # Rebuilding is for a starting worker: two versions of the code running at
                # once must not rebuild against each other.
                log.error("%s; this runner pauses", exc)
                stop.wait(VERSION_CHECK_SECONDS)
            except ProjectionFailed as exc:
                failure = exc.failure
                place = (failure.upstream, failure.position)
                if place != failed_at:
                    # The whole story once per place; after that a line per attempt.
                    log.exception("%s; retrying with backoff", exc)
                    failed_at = place
                else:
                    log.warning("%s; retrying with backoff", exc)
                wait = (failure.retry_at - failure.last_failed_at).total_seconds()
                stop.wait(max(0.0, wait))
            except Exception:
                log.exception("projection %s failed a batch; retrying", self.name)
                stop.wait(1.0)
