"""Registration with waitlists: a full event's registrations wait, and freed seats go to them.

The waitlist is stored beside the seat ledger and the participants, in the registration
context's event store, so that a freed seat and the offer that holds it for the next
entry are one save: a seat is offered to exactly one entry, and offers held plus seats
taken never pass a capacity, by the aggregates' own optimistic concurrency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import UUID, uuid4

from eventsourcing.persistence import JSONTranscoder, RecordConflictError

from domain.registration.application import CommandWork, RegistrationApplication
from domain.registration.managed_event import ManagedEvent
from domain.registration.participant import Participant, ParticipantStatus
from domain.registration.seats import SeatLedger, ledger_id
from domain.registration.workflow.record import EMPTY_RUN, changes_between
from domain.registration.workflow.run import RunStatus, start, stop
from domain.shared.application import Ack, retry_on_conflict
from domain.shared.errors import InvalidValue, NotFound, RuleViolation, VersionMismatch
from domain.shared.names import free_text
from domain.waitlists.queue import FreeSeats, Move, Priority
from domain.waitlists.waitlist import (
    REASON_MAX,
    AlreadyWaiting,
    Entry,
    EntryAsDict,
    OnAccept,
    Waitlist,
    WhenFull,
    waitlist_id,
)

DECLINED = "declined the waitlist offer"
EXPIRED = "the waitlist offer expired"
LEFT = "left the waitlist"


@dataclass(frozen=True)
class EntryAck:
    """A command's answer about one entry: the waitlist saved, and the entry as it now is
    (or as it ended: `state` says how)."""

    ack: Ack[Waitlist]
    entry: Entry
    state: str  # waiting, offered, accepted, declined, expired or left


def entry_state(waitlist: Waitlist, entry: Entry) -> str:
    if str(entry.id) not in waitlist.entries:
        return "left"
    return "offered" if waitlist.entries[str(entry.id)].offer is not None else "waiting"


class InParty(RuleViolation):
    code = "waitlist-party"
    title = "The participant waits in a party: the party leaves the waitlist together"


class NotWaitlistable(RuleViolation):
    code = "not-waitlistable"
    title = "The participant cannot join the waitlist"


class WaitlistedRegistration(RegistrationApplication):
    """The registration application, with each event's waitlist in its event store."""

    name = "registration"  # the same event store: the library names a subclass by itself

    aggregates = (*RegistrationApplication.aggregates, Waitlist)
    snapshotting_intervals = {**RegistrationApplication.snapshotting_intervals, Waitlist: 100}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(EntryAsDict())

    # Settings

    def waitlist(self, tenant_id: UUID, event_id: UUID) -> Waitlist:
        """The event's waitlist (unsaved, with the default settings, if none was kept yet)."""
        managed = self.event(tenant_id, event_id)
        try:
            return self.load(Waitlist, waitlist_id(event_id), readonly=True)
        except NotFound:
            return Waitlist(tenant_id=managed.tenant_id, event_id=managed.id)

    @retry_on_conflict
    def change_waitlist_settings(
        self,
        tenant_id: UUID,
        event_id: UUID,
        offer_window: timedelta,
        on_accept: OnAccept,
        when_full: WhenFull,
        expected_version: int | None = None,
    ) -> Ack[Waitlist]:
        """How long offers hold their seats, what accepting does, what a full event does."""
        self.event(tenant_id, event_id)
        work = CommandWork(self)
        waitlist = self._waitlist_in(work, tenant_id, event_id)
        # If-Match is on the settings' version, which joins and offers leave as it is: a
        # busy waitlist does not refuse its organiser. One not kept yet is at version 0.
        current = 0 if waitlist.pending_events else waitlist.settings_version
        if expected_version is not None and expected_version != current:
            raise VersionMismatch(expected_version, current)
        waitlist.change_settings(offer_window, on_accept, when_full)
        return self.ack(waitlist, *work.changed(waitlist))

    # Joining: when a registration finds the event full, and by staff

    def _must_wait(self, managed: ManagedEvent, category: str | None, may_wait: bool) -> bool:
        if not may_wait:
            return super()._must_wait(managed, category, may_wait)
        try:
            waitlist = self.load(Waitlist, waitlist_id(managed.id), readonly=True)
        except NotFound:
            waitlist = None
        if waitlist is not None and waitlist.when_full is WhenFull.REFUSE:
            return super()._must_wait(managed, category, may_wait)
        ledger = self.load(SeatLedger, ledger_id(managed.id), readonly=True)
        if ledger.free() == 0 or (category is not None and ledger.free(category) == 0):
            return True
        # Freed seats go to those waiting before any new registrant.
        return waitlist is not None and any(
            e.category == category or ledger.free() is not None for e in waitlist.waiting()
        )

    def _wait_for_seats(
        self,
        work: CommandWork,
        event_id: UUID,
        participants: list[Participant],
        category: str | None,
        priority: Priority = Priority.NORMAL,
        actor: str | None = None,
    ) -> UUID:
        tenant_id = participants[0].tenant_id
        waitlist = self._waitlist_in(work, tenant_id, event_id)
        entry_id = uuid4()
        waitlist.join(entry_id, [p.id for p in participants], category, priority, actor)
        for participant in participants:
            closed = stop(self._definition_of(participant), participant.run)
            if participant.run == EMPTY_RUN:
                closed = EMPTY_RUN
            participant.wait_for_seat(entry_id, changes_between(participant.run, closed))
        # The seats free may fit this entry where they fit none before it.
        self._seats_freed(work, event_id)
        return entry_id

    @retry_on_conflict
    def join_waitlist(
        self,
        tenant_id: UUID,
        event_id: UUID,
        participant_ids: Sequence[UUID],
        priority: Priority = Priority.NORMAL,
        actor: str | None = None,
    ) -> EntryAck:
        """Staff put registered participants (one, or a party) on the event's waitlist.

        Each must be of this event and category, in the workflow with no seat yet (its
        open steps close), and on no waitlist entry already.
        """
        managed = self.event(tenant_id, event_id)
        if not participant_ids:
            raise InvalidValue("participant_ids", "an entry needs at least one participant")
        work = CommandWork(self)
        party = [self._joining(work, tenant_id, managed, p) for p in dict.fromkeys(participant_ids)]
        categories = {p.category for p in party}
        if len(categories) > 1:
            raise InvalidValue(
                "participant_ids", "a party waits for seats of one category: theirs differ"
            )
        waitlist = self._waitlist_in(work, tenant_id, event_id)
        entry_id = self._wait_for_seats(work, event_id, party, categories.pop(), priority, actor)
        entry = waitlist.entry(entry_id)
        ack = self.ack(waitlist, *work.changed(waitlist))
        return EntryAck(ack, entry, entry_state(waitlist, entry))

    def _joining(
        self, work: CommandWork, tenant_id: UUID, managed: ManagedEvent, participant_id: UUID
    ) -> Participant:
        participant = work.find(Participant, participant_id)
        if participant is None or participant.tenant_id != tenant_id:
            raise NotFound(f"no participant with id {participant_id}")
        if participant.event_id != managed.id:
            raise NotWaitlistable(
                f"the participant {participant_id} is registered for another event"
            )
        participant.check_not_ended()
        if participant.waitlisted:
            raise AlreadyWaiting(
                f"the participant {participant_id} is on the waitlist already "
                f"(entry {participant.waitlist_entry})"
            )
        if participant.status is not ParticipantStatus.PENDING or participant.offer_seat:
            what = "holds a seat" if participant.status is ParticipantStatus.APPROVED else None
            raise NotWaitlistable(
                f"the participant {participant_id} {what or f'is {participant.status}'}"
            )
        return participant

    # Leaving and ordering

    def _stop_waiting(
        self, work: CommandWork, participant: Participant, reason: str | None
    ) -> None:
        waitlist = self._waitlist_in(work, participant.tenant_id, participant.event_id)
        entry = waitlist.entry_of(participant.id)
        if entry is None:
            return
        if entry.seats > 1:
            raise InParty(
                f"the participant waits in the party of entry {entry.id}: the entry leaves "
                "the waitlist as a whole"
            )
        self._leave(work, waitlist, entry, reason, None)

    @retry_on_conflict
    def leave_waitlist(
        self,
        tenant_id: UUID,
        event_id: UUID,
        entry_id: UUID,
        reason: str | None = None,
        actor: str | None = None,
    ) -> EntryAck:
        """The entry leaves the waitlist: its participants' registrations are cancelled, and
        seats its offer held pass on."""
        work = CommandWork(self)
        waitlist = self._existing_waitlist(work, tenant_id, event_id)
        entry = waitlist.entry(entry_id)
        reason = free_text(reason, "reason", REASON_MAX)
        for participant_id in entry.participant_ids:
            participant = work.load(Participant, participant_id)
            if not participant.has_ended and participant.merged is None:
                participant.cancel(f"{LEFT}: {reason}" if reason else LEFT, _unchanged(participant))
                self._release_email(work, participant)
        self._leave(work, waitlist, entry, reason, actor)
        return EntryAck(self.ack(waitlist, *work.changed(waitlist)), entry, "left")

    def _leave(
        self,
        work: CommandWork,
        waitlist: Waitlist,
        entry: Entry,
        reason: str | None,
        actor: str | None,
    ) -> None:
        waitlist.leave(entry.id, reason, actor)
        if entry.offer is not None:
            work.ledger(waitlist.event_id).release_offer(entry.offer.id)
        # Seats it held, or ones it waited for in front of others, go down the order.
        self._seats_freed(work, waitlist.event_id)

    @retry_on_conflict
    def move_waitlist_entry(
        self,
        tenant_id: UUID,
        event_id: UUID,
        entry_id: UUID,
        move: Move,
        reason: str,
        actor: str | None = None,
    ) -> EntryAck:
        """Staff move a waiting entry within its priority, with a reason for the record."""
        work = CommandWork(self)
        waitlist = self._existing_waitlist(work, tenant_id, event_id)
        waitlist.move(entry_id, move, reason, actor)
        self._seats_freed(work, event_id)  # an entry moved ahead may fit seats left free
        return self._entry_ack(work, waitlist, entry_id)

    @retry_on_conflict
    def reprioritise_waitlist_entry(
        self,
        tenant_id: UUID,
        event_id: UUID,
        entry_id: UUID,
        priority: Priority,
        reason: str,
        actor: str | None = None,
    ) -> EntryAck:
        """Staff give a waiting entry another priority: it goes to the end of that band."""
        work = CommandWork(self)
        waitlist = self._existing_waitlist(work, tenant_id, event_id)
        waitlist.reprioritise(entry_id, priority, reason, actor)
        self._seats_freed(work, event_id)
        return self._entry_ack(work, waitlist, entry_id)

    # Offers

    def _seats_freed(self, work: CommandWork, event_id: UUID) -> None:
        waitlist = work.find(Waitlist, waitlist_id(event_id))
        if waitlist is None or not waitlist.order:
            return
        ledger = work.ledger(event_id)
        free = FreeSeats(ledger.free(), ledger.free_by_category())
        for entry in waitlist.offer_seats(free, self.clock()):
            assert entry.offer is not None
            ledger.hold_offer(entry.offer.id, entry.offer.seats, entry.category)

    @retry_on_conflict
    def accept_offer(
        self, tenant_id: UUID, event_id: UUID, entry_id: UUID, actor: str | None = None
    ) -> EntryAck:
        """The entry takes its offered seats: approved, or into the workflow (as the
        waitlist's settings say; one held for screening review goes into the workflow)."""
        work = CommandWork(self)
        waitlist = self._existing_waitlist(work, tenant_id, event_id)
        entry = waitlist.accept(entry_id, self.clock(), actor)
        assert entry.offer is not None
        offer = entry.offer
        managed = self.load(ManagedEvent, event_id, readonly=True)
        ledger = work.ledger(event_id)
        seated: list[UUID] = []
        for participant_id in entry.participant_ids:
            participant = work.load(Participant, participant_id)
            _check_still_in(entry, participant)
            if waitlist.on_accept is OnAccept.APPROVE and not participant.held:
                run = replace(EMPTY_RUN, status=RunStatus.APPROVED)
                seated.append(participant.id)
            else:
                # The workflow version it registered on, begun afresh.
                run = start(managed.workflow(participant.workflow_version))
            participant.promote(
                offer.id, participant.workflow_version, changes_between(EMPTY_RUN, run)
            )
        if seated:
            ledger.seat_offer(offer.id, seated)
        return EntryAck(self.ack(waitlist, *work.changed(waitlist)), entry, "accepted")

    @retry_on_conflict
    def decline_offer(
        self, tenant_id: UUID, event_id: UUID, entry_id: UUID, actor: str | None = None
    ) -> EntryAck:
        """The entry turns its offer down: its participants withdraw, the seats pass on."""
        work = CommandWork(self)
        waitlist = self._existing_waitlist(work, tenant_id, event_id)
        entry = waitlist.decline(entry_id, actor)
        self._end_offered(work, waitlist, entry, DECLINED, withdraw=True)
        return EntryAck(self.ack(waitlist, *work.changed(waitlist)), entry, "declined")

    @retry_on_conflict
    def expire_offers(self, event_id: UUID) -> Ack[Waitlist] | None:
        """Ends the event's offers past their deadline (the expiry worker's command).

        Idempotent: offers ended already are not ended again. None: nothing was due.
        """
        work = CommandWork(self)
        waitlist = work.find(Waitlist, waitlist_id(event_id))
        if waitlist is None:
            return None
        expired = waitlist.expire_offers(self.clock())
        if not expired:
            return None
        for entry in expired:
            self._end_offered(work, waitlist, entry, EXPIRED, withdraw=False)
        return self.ack(waitlist, *work.changed(waitlist))

    def _end_offered(
        self, work: CommandWork, waitlist: Waitlist, entry: Entry, reason: str, *, withdraw: bool
    ) -> None:
        """An offer declined or expired: its entry's registrations end, the seats pass on."""
        assert entry.offer is not None
        for participant_id in entry.participant_ids:
            participant = work.load(Participant, participant_id)
            if participant.has_ended or participant.merged is not None:
                continue
            _check_still_in(entry, participant)
            if withdraw:
                participant.withdraw(reason, _unchanged(participant))
            else:
                participant.cancel(reason, _unchanged(participant))
            self._release_email(work, participant)
        work.ledger(waitlist.event_id).release_offer(entry.offer.id)
        self._seats_freed(work, waitlist.event_id)

    # Helpers

    def _entry_ack(self, work: CommandWork, waitlist: Waitlist, entry_id: UUID) -> EntryAck:
        ack = self.ack(waitlist, *work.changed(waitlist))
        entry = waitlist.entry(entry_id)
        return EntryAck(ack, entry, entry_state(waitlist, entry))

    def _release_email(self, work: CommandWork, participant: Participant) -> None:
        index = self._email_index(participant.event_id, participant.details.normalised_email)
        if index is not None:
            index.release(participant.id)
            work.add(index)

    def _waitlist_in(self, work: CommandWork, tenant_id: UUID, event_id: UUID) -> Waitlist:
        """The event's waitlist in this command's work, opened if there is none yet."""
        waitlist = work.find(Waitlist, waitlist_id(event_id))
        if waitlist is None:
            waitlist = Waitlist(tenant_id=tenant_id, event_id=event_id)
            work.add(waitlist)
        if waitlist.tenant_id != tenant_id:
            raise NotFound(f"no event with id {event_id}")
        return waitlist

    def _existing_waitlist(self, work: CommandWork, tenant_id: UUID, event_id: UUID) -> Waitlist:
        waitlist = work.find(Waitlist, waitlist_id(event_id))
        if waitlist is None or waitlist.tenant_id != tenant_id:
            self.event(tenant_id, event_id)  # NotFound names the event if it is the cause
            raise NotFound(f"no waitlist entry at the event {event_id}")
        return waitlist


def _check_still_in(entry: Entry, participant: Participant) -> None:
    """A conflict (the command is retried) if the participant no longer waits in the entry.

    Its entry and it change in one save, so the waitlist this command read is older than
    the participant: another command answered or ended the offer in between, and this
    command's save would conflict on the waitlist anyway. Retried, it finds the entry gone,
    where going on would fail on the participant's newer state with a wrong answer.
    """
    if participant.waitlist_entry != entry.id:
        raise RecordConflictError(
            f"the participant {participant.id} left the waitlist entry {entry.id} after the "
            "waitlist was read"
        )


def _unchanged(participant: Participant) -> dict[str, object]:
    """The workflow's answer to an end that changes no step (no step was open)."""
    return changes_between(participant.run, participant.run)
