"""A registration history: managed events, and participants going through a workflow in waves.

Each wave registers its participants, then completes their screening (a few withdraw
instead of going on, some change a name), then their two parallel checks. So a
batch of step completions is about participants registered batches earlier, whose
rows the projection has to read: the case that made one read per participant.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.registration.application import RegistrationApplication
from domain.registration.participant import Participant
from domain.registration.workflow.definition import WorkflowDefinition
from domain.registration.workflow.record import EMPTY_RUN, changes_between
from domain.registration.workflow.run import Outcome, complete, stop
from domain.registration.workflow.run import start as start_run
from domain.shared.cause import Cause, stamp

EVENTS = 10  # managed events the participants are spread over
WAVE = 5_000  # participants per wave
PER_PARTICIPANT = 4  # domain events, about: registered, screened, two checks
WITHDRAW_EVERY = 25  # one in so many withdraws after screening
RENAME_EVERY = 10  # one in so many changes a name after screening
# Stored this many at a time: one put of 10,000 of these domain events (several MB)
# never returned on PostgreSQL here, psycopg's pipeline waiting on the server and the
# server on the client.
WRITE_CHUNK = 2_000
CHECKS = {
    "start": "screening",
    "steps": [
        {"id": "screening", "kind": "review", "name": "Screening", "next": "checks"},
        {
            "id": "checks",
            "kind": "parallel",
            "name": "Checks",
            "branches": ["security", "documents"],
            "join": "checks_done",
        },
        {"id": "security", "kind": "security_check", "name": "Security", "next": "checks_done"},
        {"id": "documents", "kind": "document_check", "name": "ID", "next": "checks_done"},
        {"id": "checks_done", "kind": "join", "name": "Checked", "mode": "ALL", "next": "done"},
        {"id": "done", "kind": "end", "name": "Accredited"},
    ],
}


def write_history(settings: Settings, events: int, log: Callable[[str], None]) -> int:
    """Writes about `events` domain events; returns how many the log holds."""
    app = RegistrationApplication(eventstore_env(settings, RegistrationApplication.name))
    try:
        return _write(app, events, log)
    finally:
        app.close()


def _write(app: RegistrationApplication, events: int, log: Callable[[str], None]) -> int:
    started = time.perf_counter()
    tenant = uuid4()
    begins = datetime(2030, 6, 1, 9, tzinfo=UTC)
    managed = []
    for n in range(EVENTS):
        event_id = app.create_event(
            tenant, f"Expo {n}", begins, begins + timedelta(days=2), "UTC", workflow=CHECKS
        ).aggregate_id
        app.open_registration(tenant, event_id)
        managed.append(app.event(tenant, event_id))
    definitions = [(m.id, m.workflow_version, m.workflow(m.workflow_version)) for m in managed]
    writer = _Writer(app, tenant)
    first = app.recorder.max_notification_id() or 0
    number = 0
    while (left := events - first - writer.written - len(writer.pending)) > 0:
        wave = []
        for _ in range(max(1, min(WAVE, left // PER_PARTICIPANT))):
            event_id, version, definition = definitions[number % EVENTS]
            wave.append(_register(tenant, event_id, version, definition, number))
            number += 1
        writer.put(wave)
        for person in wave:
            _complete(person, "screening")
            if person.number % WITHDRAW_EVERY == 0:
                after = stop(person.definition, person.participant.run)
                changes = changes_between(person.participant.run, after)
                person.participant.withdraw("changed plans", changes)
            elif person.number % RENAME_EVERY == 0:
                person.participant.update_details({"last_name": f"Renamed{person.number}"})
        writer.put(wave)
        for step in ("security", "documents"):
            writer.put([_complete(p, step) for p in wave if not p.participant.has_ended])
    writer.flush()
    total = first + writer.written
    elapsed = time.perf_counter() - started
    log(f"wrote {total:,} domain events ({number:,} participants) in {elapsed:.1f}s")
    return total


@dataclass
class _Person:
    participant: Participant
    definition: WorkflowDefinition  # of the workflow version it follows
    number: int


def _register(
    tenant: UUID, event_id: UUID, version: int, definition: WorkflowDefinition, number: int
) -> _Person:
    details = {
        "first_name": "Person",
        "last_name": f"Number{number}",
        "email": f"person{number}@example.org",
        "phone": None,
        "date_of_birth": None,
        "organisation": "Benchmark Ltd",
        "nationality": "FR",
        "document_number": None,
    }
    participant = Participant(
        tenant_id=tenant,
        event_id=event_id,
        category=None,
        details=details,
        workflow_version=version,
        workflow=changes_between(EMPTY_RUN, start_run(definition)),
    )
    return _Person(participant, definition, number)


def _complete(person: _Person, step: str) -> _Person:
    run = person.participant.run
    after = complete(person.definition, run, step, Outcome.APPROVED, "bench", None)
    person.participant.record_step(step, "approved", "bench", None, changes_between(run, after))
    return person


class _Writer:
    """Stores pending domain events in chunks, stamped as the application would stamp them."""

    def __init__(self, app: RegistrationApplication, tenant: UUID) -> None:
        self.app = app
        self.tenant = tenant
        self.cause = Cause("bench", uuid4().hex)
        self.pending: list[Any] = []
        self.written = 0

    def put(self, people: list[_Person]) -> None:
        aggregates: list[Aggregate] = [p.participant for p in people]
        for aggregate in aggregates:
            for domain_event in aggregate.collect_events():
                stamp(domain_event, self.cause, self.tenant)
                self.pending.append(domain_event)
            if len(self.pending) >= WRITE_CHUNK:
                self.flush()

    def flush(self) -> None:
        if self.pending:
            self.app.events.put(self.pending)
            self.written += len(self.pending)
            self.pending = []
