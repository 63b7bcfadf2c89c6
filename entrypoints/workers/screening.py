"""The screening policy: every registration and change of details is screened against the
blacklist, and every entry added or removed screens the participants it may concern.

Two process runners and a timer, under one lead. The first follows the registration
log (Registered, DetailsUpdated) and screens that participant. The second follows the
screening log (EntryAdded, EntryRemoved, EntryExpired) and screens the tenant's
participants, of the entry's event or of all its events, whose details the entry
compares close. The timer records each entry's expiry when its time comes (no request
needs to arrive), so the second runner lifts what the entry stopped.

Both end in the same two idempotent commands. `screen_participant` records a decision
on the participant's screening record only when it changes what stands, under an id
derived from the record's version; `follow_screening` applies a decision to the
registration once per decision id (a hold, a block, or the clear that lifts them). A
domain event handled twice, or a batch replayed, records nothing again; a reviewer's
release is not undone by the same decision coming again.

The race between the two: an entry added while a participant is being registered.
Registration screens against the blacklist as it is when the registration's domain
event is handled, so a participant registered after the entry was recorded is
screened with it by the first runner. One registered before the entry may not be in
the registrations view yet when the second runner reads it: so before reading, the
second runner notes the registration log's last notification id and waits for the
view to reach it (failing the batch, to retry it, if it does not). Every registration
is then either in what it reads, or recorded after the entry and screened with it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from adapters.projection.leadership import leadership_for, wait_to_lead
from adapters.projection.process import ProcessRunner
from adapters.projection.tracking import Positions
from adapters.projection.wakeup import wakeup_for
from adapters.registration.queries import RegistrationQueries
from adapters.registration.rows import ParticipantFilter, ParticipantRow
from adapters.screening.blacklist_queries import ExpiryQueries
from domain.registration.application import RegistrationApplication
from domain.registration.participant import Participant
from domain.screening.application import ScreeningApplication
from domain.screening.blacklist import Blacklist, Entry
from domain.screening.blacklist_match import Outcome, compare
from domain.screening.forms import COMPARED_FIELDS, forms_of
from domain.screening.participant_screening import ParticipantScreening
from domain.shared.application import Position
from domain.shared.cause import Cause, caused_by, meta_of
from entrypoints.wiring.container import Container

log = logging.getLogger("accredit.workers")

NAME = "screening"
REGISTRATIONS = "screening-registrations"
ENTRIES = "screening-entries"
LEADERSHIP = ("policy-screening", 1)
REGISTRATION_EVENTS = (Participant.Registered, Participant.DetailsUpdated)
ENTRY_EVENTS = (Blacklist.EntryAdded, Blacklist.EntryRemoved, Blacklist.EntryExpired)
PAGE = 500
VIEW_WAIT_SECONDS = 30.0
# The timer looks again at least this often (an entry added meanwhile may expire sooner),
# and at most this often (its own expiries take a moment to reach the blacklist view).
EXPIRY_LOOK_SECONDS = (1.0, 5.0)


class ViewBehind(Exception):
    """The registrations view has not reached the registrations an entry must see."""


def reason_of(record: ParticipantScreening) -> str:
    """What a hold or block says, to the participant's record and at the gate."""
    if record.outcome is Outcome.BLOCK:
        return f"blocked by screening: blacklist entry {record.entry_id}"
    return f"held for screening review: close to blacklist entry {record.entry_id}"


class ScreeningPolicy:
    """Screens participants and applies the decisions to their registrations."""

    def __init__(
        self,
        registration: RegistrationApplication,
        screening: ScreeningApplication,
        participants: RegistrationQueries,
        positions: Positions,
    ) -> None:
        self.registration = registration
        self.screening = screening
        self.participants = participants
        self.positions = positions

    # The registration log

    def on_registration(self, domain_event: DomainEventProtocol[Any]) -> None:
        participant_id = domain_event.originator_id
        changed = getattr(domain_event, "changes", None)
        if changed is not None and not COMPARED_FIELDS & set(changed):
            return  # no detail screening compares changed
        participant = self.registration.load(Participant, participant_id, readonly=True)
        meta = meta_of(domain_event)
        cause = Cause(
            actor="system",
            correlation_id=str(meta.get("correlation_id") or participant_id),
            causation_id=f"registration:{participant_id}@{domain_event.originator_version}",
        )
        self.screen(participant, cause)

    # The screening log

    def on_entry(self, domain_event: DomainEventProtocol[Any]) -> None:
        assert isinstance(domain_event, ENTRY_EVENTS)
        blacklist = self.screening.load(Blacklist, domain_event.originator_id, readonly=True)
        entry = blacklist.entry(domain_event.entry_id)
        self._wait_for_registrations()
        meta = meta_of(domain_event)
        cause = Cause(
            actor="system",
            correlation_id=str(meta.get("correlation_id") or entry.id),
            causation_id=f"blacklist:{entry.id}@{domain_event.originator_version}",
        )
        for row in self._concerned(blacklist.tenant_id, entry):
            participant = self.registration.load(Participant, row.id, readonly=True)
            self.screen(participant, cause)

    def _wait_for_registrations(self) -> None:
        upto = self.registration.recorder.max_notification_id() or 0
        wanted = [Position(self.registration.name, upto)]
        if not self.positions.wait_for("registration", wanted, VIEW_WAIT_SECONDS):
            raise ViewBehind(f"the registrations view has not reached registration:{upto}")

    def _concerned(self, tenant_id: UUID, entry: Entry) -> Iterator[ParticipantRow]:
        """The participants in the entry's scope whose details it compares close (removed
        or not: a removed entry's are the ones it may have stopped)."""
        probe = replace(entry, removed=False, expires_at=None)
        for event_id in self._events(tenant_id, entry.event_id):
            for row in self._rows(tenant_id, event_id):
                if compare(probe, forms_of(vars(row))).outcome is not Outcome.CLEAR:
                    yield row

    def _events(self, tenant_id: UUID, event_id: UUID | None) -> Iterator[UUID]:
        if event_id is not None:
            yield event_id
            return
        cursor: str | None = None
        while True:
            page = self.participants.events(tenant_id, PAGE, cursor)
            yield from (e.id for e in page.items)
            if (cursor := page.next_cursor) is None:
                return

    def _rows(self, tenant_id: UUID, event_id: UUID) -> Iterator[ParticipantRow]:
        cursor: str | None = None
        while True:
            page = self.participants.participants(
                tenant_id, event_id, ParticipantFilter(), PAGE, cursor
            )
            yield from page.items
            if (cursor := page.next_cursor) is None:
                return

    # Both

    def screen(self, participant: Participant, cause: Cause) -> None:
        """Screens the participant's details now, and applies the decision that stands."""
        if participant.has_ended:
            return
        with caused_by(cause):
            record = self.screening.screen_participant(
                participant.tenant_id,
                participant.event_id,
                participant.id,
                participant.details.to_record(),
                cause.causation_id or "",
            )
            if record is None or record.decision_id is None:
                return
            self.registration.follow_screening(
                participant.id, record.decision_id, record.outcome.value, reason_of(record)
            )


def record_due_expiries(screening: ScreeningApplication, expiries: ExpiryQueries) -> int:
    """Records the expiry of every entry due now; returns how many blacklists changed."""
    changed = 0
    for tenant_id in expiries.tenants_due(screening.clock()):
        cause = Cause(actor="system", correlation_id=f"blacklist-expiry:{tenant_id}")
        with caused_by(cause):
            changed += screening.record_blacklist_expiries(tenant_id) is not None
    return changed


def record_expiries(
    container: Container, stop: threading.Event, leading: Callable[[], bool]
) -> None:
    """The timer: records expiries as they fall due, until stopped or no longer leading."""
    screening = container.app(ScreeningApplication)
    expiries = ExpiryQueries(container.engine)
    shortest, longest = EXPIRY_LOOK_SECONDS
    while not stop.is_set() and leading():
        wait = longest
        try:
            record_due_expiries(screening, expiries)
            upcoming = expiries.next_expiry()
            if upcoming is not None:
                until = (upcoming - screening.clock()).total_seconds()
                wait = min(max(until, shortest), longest)
        except Exception:
            log.exception("screening policy: could not record blacklist expiries; retrying")
        stop.wait(wait)


def screening_runners(container: Container) -> tuple[ProcessRunner, ProcessRunner]:
    """The policy's two runners on this container's applications and service tables."""
    registration = container.app(RegistrationApplication)
    screening = container.app(ScreeningApplication)
    positions = Positions(container.engine)
    policy = ScreeningPolicy(
        registration, screening, container.query(RegistrationQueries), positions
    )
    batch = container.settings.projection_batch_size
    common: dict[str, Any] = {"batch_size": batch, "failures": container.engine}
    return (
        ProcessRunner(
            container.service_engine,
            REGISTRATIONS,
            registration,
            REGISTRATION_EVENTS,
            policy.on_registration,
            **common,
        ),
        ProcessRunner(
            container.service_engine, ENTRIES, screening, ENTRY_EVENTS, policy.on_entry, **common
        ),
    )


def run_screening(container: Container, stop: threading.Event) -> None:
    """Screens registrations and follows the blacklist, leading when no other runner does."""
    runners = screening_runners(container)
    leadership = leadership_for(container.engine, *LEADERSHIP)
    describe = "screening policy"
    try:
        while wait_to_lead(leadership, stop, describe):
            threads = [
                threading.Thread(
                    target=_follow,
                    args=(container, runner, stop, leadership.leading),
                    name=runner.name,
                    daemon=True,
                )
                for runner in runners
            ]
            threads.append(
                threading.Thread(
                    target=record_expiries,
                    args=(container, stop, leadership.leading),
                    name="screening-expiries",
                    daemon=True,
                )
            )
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            leadership.step_down()
            if not stop.is_set():
                log.warning("%s: lost the lead", describe)
    finally:
        leadership.close()


def _follow(
    container: Container,
    runner: ProcessRunner,
    stop: threading.Event,
    leading: Callable[[], bool],
) -> None:
    wakeup = wakeup_for(
        {runner.upstream.name: runner.upstream},
        container.settings.database_url,
        container.settings.poll_interval_seconds,
    )
    try:
        runner.run_forever(stop, wakeup, leading)
    finally:
        wakeup.close()
