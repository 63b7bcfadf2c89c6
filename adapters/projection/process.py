"""Runs a process (a policy reacting to domain events with commands) over one upstream log.

Unlike a projection, a process's effects are commands on an event store, which
cannot commit in one transaction with its position. So its commands must be
idempotent by construction (deterministic ids, versions compared), and the
position is saved after each batch's commands: a process killed before saving
handles those domain events again, and they change nothing the second time.
The position is kept in the service's own tables, not with the projections: it is
no read model, and dropping or rebuilding the views must not move it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import resolve_topic
from sqlalchemy import BigInteger, Column, Engine, String, Table, select, update

from adapters.projection.batch_decoder import BatchDecoder
from adapters.projection.failures import (
    ProjectionFailed,
    clear_failures,
    describe,
    record_failure,
)
from adapters.projection.notification_log import read_notifications
from adapters.projection.wakeup import Wakeup
from adapters.sql.schema import metadata
from adapters.sql.transactions import dialect_insert, write_transaction

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
PROCESS_VERSION = 1  # a process has no tables to rebuild: its failures name this version

process_tracking = Table(
    "process_tracking",
    metadata,
    Column("process", String(100), primary_key=True, comment="The process (policy) name"),
    Column("upstream", String(100), primary_key=True, comment="The application it follows"),
    Column(
        "position",
        BigInteger,
        nullable=False,
        comment="The last notification id whose domain events the process has handled",
    ),
)

Handler = Callable[[DomainEventProtocol[Any]], None]


class ProcessRunner:
    """Hands each domain event of the wanted classes in one upstream log to a handler."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        upstream: Application[Any],
        wanted: Collection[type[Any]],
        handle: Handler,
        batch_size: int = 100,
        failures: Engine | None = None,
    ) -> None:
        self.engine = engine
        # Where a domain event the handler cannot take is recorded for every process to
        # see (/ready, /health/projections), as a projection's are; None: only logged.
        self.failures = failures
        self._may_have_failed = True  # a failure a runner before this one recorded
        self.name = name
        self.upstream = upstream
        self.wanted = frozenset(wanted)
        self.handle = handle
        self.batch_size = batch_size
        self._decoder = BatchDecoder(upstream.mapper)
        self._topics: dict[str, bool] = {}
        insert = dialect_insert(engine, process_tracking)
        with write_transaction(engine) as conn:
            conn.execute(
                insert.values(
                    process=name, upstream=upstream.name, position=0
                ).on_conflict_do_nothing()
            )

    def position(self) -> int:
        """The last notification id handled."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(process_tracking.c.position).where(*self._row())
            ).scalar_one()
        return int(found)

    def reset(self, position: int = 0) -> None:
        """Moves the position back (or on): what follows is handled again."""
        with write_transaction(self.engine) as conn:
            conn.execute(update(process_tracking).where(*self._row()).values(position=position))

    def run_batch(self) -> int:
        """Handles at most one batch; returns how many notifications it read."""
        start = self.position()
        notifications = read_notifications(self.upstream, start, self.batch_size)
        if not notifications:
            return 0
        chosen = [n for n in notifications if self._handles(n.topic)]
        for notification, domain_event in zip(chosen, self._decoder.decode(chosen), strict=True):
            try:
                self.handle(domain_event)
            except Exception as error:
                # Stop exactly before the domain event it cannot take, and say so.
                self._save(start, notification.id - 1)
                if self.failures is None:
                    raise
                failure = record_failure(
                    self.failures,
                    self.failure_name,
                    self.upstream.name,
                    PROCESS_VERSION,
                    notification.id,
                    describe(error),
                )
                self._may_have_failed = True
                raise ProjectionFailed(failure) from error
        self._save(start, notifications[-1].id)
        if self._may_have_failed and self.failures is not None:
            with write_transaction(self.failures) as conn:
                clear_failures(conn, self.failure_name, self.upstream.name)
            self._may_have_failed = False
        return len(notifications)

    @property
    def failure_name(self) -> str:
        """How its failures are named beside the projections'."""
        return f"process:{self.name}"

    def _save(self, start: int, position: int) -> None:
        if position <= start:
            return
        with write_transaction(self.engine) as conn:
            # Guarded like a projection's tracking: a runner that lost the lead and
            # finished late never moves the position back.
            conn.execute(
                update(process_tracking)
                .where(*self._row(), process_tracking.c.position == start)
                .values(position=position)
            )

    def catch_up(self) -> int:
        """Runs batches until the log is exhausted; returns notifications read."""
        total = 0
        while count := self.run_batch():
            total += count
        return total

    def run_forever(
        self, stop: threading.Event, wakeup: Wakeup, leading: Callable[[], bool] = lambda: True
    ) -> None:
        """Follows the log, woken when it may have grown, while `leading`."""
        while not stop.is_set() and leading():
            try:
                if self.run_batch() == 0:
                    wakeup.wait(stop)
            except ProjectionFailed as exc:
                failure = exc.failure
                if failure.attempts == 1:
                    log.exception("%s; retrying with backoff", exc)
                else:
                    log.warning("%s; retrying with backoff", exc)
                stop.wait(max(0.0, (failure.retry_at - failure.last_failed_at).total_seconds()))
            except Exception:
                # The batch is handled again from its start: the handler is idempotent.
                log.exception("process %s failed a batch; retrying", self.name)
                stop.wait(RETRY_SECONDS)

    def _handles(self, topic: str) -> bool:
        # Resolved, not compared as text: a class moved or renamed keeps its domain events.
        handled = self._topics.get(topic)
        if handled is None:
            handled = self._topics[topic] = resolve_topic(topic) in self.wanted
        return handled

    def _row(self) -> tuple[Any, ...]:
        return (
            process_tracking.c.process == self.name,
            process_tracking.c.upstream == self.upstream.name,
        )
