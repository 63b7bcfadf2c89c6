"""The scan desk: decides scans in memory and records them, fenced by the gate logs' versions.

A desk follows the access application's log (venues, credentials, every gate
log) into its `Gates`, and answers asks in batches: it catches up, decides every
ask of the batch, and records the new decisions in one commit. Two desks deciding
for one event cannot both record: the second appends at a gate-log version the
first took, the event store refuses it, and the second drops that gate, catches
up and decides again. So an exact capacity needs no lock, only that decisions be
recorded before they are answered; a lock around a desk (`DeskLock`) only spares
the desks of several processes the conflicts.

One desk runs in the scan decider worker (PostgreSQL: HTTP workers hand their
scans to it, see `scan_channel`), or in each HTTP worker (`inline`, the embedded
default), under a lock shared by the processes of one store.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError
from sqlalchemy import Engine, func, select

from adapters.projection.batch_decoder import BatchDecoder
from adapters.projection.file_leadership import leader_lock_path
from adapters.projection.file_lock import FileLock
from adapters.projection.notification_log import read_notifications
from domain.access.application import AccessApplication
from domain.access.gate_log import GateLog, gate_log_id
from domain.access.gates import Answered, Ask, Gates
from domain.shared.application import Position, utc_now
from domain.shared.cause import Cause, stamp
from domain.shared.errors import ConcurrencyConflict, DomainError

log = logging.getLogger(__name__)

CATCH_UP_BATCH = 2_000
CONFLICT_ATTEMPTS = 10
# Fixed: every process deciding scans on one PostgreSQL takes this advisory lock inline.
ADVISORY_LOCK_KEY = 0x4163_6372_5363_616E  # "AccrScan"


class DeciderUnavailable(Exception):
    """No decider answered in time: the scan may or may not have been recorded."""


@dataclass(frozen=True)
class Request:
    """An ask, who made it (for the domain events' metadata) and the API key (for its reads)."""

    ask: Ask
    cause: Cause
    key_id: str | None = None


@dataclass(frozen=True)
class Reply:
    """A request's answer: what was decided, where it was recorded, or the domain error."""

    answered: Answered | None
    position: Position | None = None
    error: DomainError | None = None


class ScanDesk:
    def __init__(
        self,
        access: AccessApplication,
        # Records how far a key's scans reached (for its reads); None: not recorded.
        note_positions: Callable[[str, list[Position]], None] | None = None,
        lock: AbstractContextManager[Any] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.access = access
        self.note_positions = note_positions
        self.gates = Gates()
        self.position = 0  # the last notification of the access log applied
        self.clock = clock
        self._decoder = BatchDecoder(access.mapper)
        self._mutex = threading.Lock()
        self._lock: AbstractContextManager[Any] = lock or nullcontext()

    def catch_up(self) -> int:
        """Applies what the access log recorded since; returns how many notifications."""
        total = 0
        while batch := read_notifications(self.access, self.position, CATCH_UP_BATCH):
            for domain_event in self._decoder.decode(batch):
                self.gates.follow(domain_event)
            self.position = batch[-1].id
            total += len(batch)
        return total

    def answer(self, requests: Sequence[Request]) -> list[Reply]:
        """Decides the requests in order and records the new decisions in one commit."""
        with self._mutex, self._lock:
            self.catch_up()
            for attempt in range(CONFLICT_ATTEMPTS):
                replies = self._try(requests)
                if replies is not None:
                    return replies
                # Backoff with jitter spreads colliding deciders apart.
                time.sleep(random.uniform(0, min(0.2, 0.002 * 2**attempt)))  # noqa: S311
        raise ConcurrencyConflict("another decider kept recording scans; retry the scan")

    def _try(self, requests: Sequence[Request]) -> list[Reply] | None:
        at = self.clock()
        answers: list[Answered | DomainError] = []
        touched: set[UUID] = set()
        pending: list[tuple[int, Aggregate.Event]] = []
        try:
            for n, request in enumerate(requests):
                ask = request.ask
                self._ensure_gate(ask.tenant_id, ask.event_id)
                try:
                    answered = self.gates.answer(ask, at)
                except DomainError as error:
                    answers.append(error)
                    continue
                touched.add(gate_log_id(ask.tenant_id, ask.event_id))
                answers.append(answered)
                for domain_event in answered.events:
                    stamp(domain_event, request.cause, ask.tenant_id)
                    pending.append((n, domain_event))
            if not pending:
                return [self._reply(a, None) for a in answers]
            recordings = self.access.save(*(e for _, e in pending))
        except RecordConflictError:
            log.info("another decider recorded scans first; deciding again")
            self._forget(touched)
            self.catch_up()
            return None
        except BaseException:
            self._forget(touched)
            raise
        ids = [r.notification.id for r in recordings]
        if ids and ids[0] == self.position + 1 and ids == list(range(ids[0], ids[-1] + 1)):
            self.position = ids[-1]  # nothing else was recorded in between: skip reading it
        last: dict[int, int] = {}
        for (n, _), notification_id in zip(pending, ids, strict=True):
            last[n] = max(last.get(n, 0), notification_id)
        replies = [
            self._reply(a, None if n not in last else Position(self.access.name, last[n]))
            for n, a in enumerate(answers)
        ]
        self._note_positions(requests, replies)
        return replies

    @staticmethod
    def _reply(answer: Answered | DomainError, position: Position | None) -> Reply:
        if isinstance(answer, DomainError):
            return Reply(None, error=answer)
        return Reply(answer, position)

    def _ensure_gate(self, tenant_id: UUID, event_id: UUID) -> None:
        if self.gates.has_gate(tenant_id, event_id):
            return
        log_id = gate_log_id(tenant_id, event_id)
        history: list[GateLog.Event] = []
        for domain_event in self.access.events.get(log_id):
            if isinstance(domain_event, GateLog.Event) and domain_event.originator_version > 1:
                history.append(domain_event)
        try:
            self.gates.gate(tenant_id, event_id, history)
        except DomainError:
            return  # answered as the ask's error

    def _forget(self, log_ids: set[UUID]) -> None:
        for log_id in log_ids:
            self.gates.forget(log_id)

    def _note_positions(self, requests: Sequence[Request], replies: Sequence[Reply]) -> None:
        """Records, for each key, the furthest position its scans reached (read-your-writes)."""
        if self.note_positions is None:
            return
        furthest: dict[str, Position] = {}
        for request, reply in zip(requests, replies, strict=True):
            if request.key_id is None or reply.position is None:
                continue
            known = furthest.get(request.key_id)
            if known is None or reply.position > known:
                furthest[request.key_id] = reply.position
        for key_id, position in furthest.items():
            try:
                self.note_positions(key_id, [position])
            except Exception:
                # The scans are recorded; their answers name their position anyway.
                log.warning("could not record the position of a key's scans", exc_info=True)


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as conn:
        conn.execute(select(func.pg_advisory_lock(ADVISORY_LOCK_KEY)))
        try:
            yield
        finally:
            conn.execute(select(func.pg_advisory_unlock(ADVISORY_LOCK_KEY)))
            conn.commit()


class DeskLock:
    """The lock the inline desks of every process on one store take around a batch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file = (
            None
            if engine.dialect.name == "postgresql"
            else FileLock(leader_lock_path(engine, "scan-desk", 1))
        )
        self._held: AbstractContextManager[None] | None = None

    def __enter__(self) -> None:
        if self._file is not None:
            self._file.acquire()
            return
        self._held = _advisory_lock(self.engine)
        self._held.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.release()
            return
        held, self._held = self._held, None
        if held is not None:
            held.__exit__(None, None, None)
