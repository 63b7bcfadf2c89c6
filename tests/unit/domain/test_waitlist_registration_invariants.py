"""Random histories of a full event with a waitlist never seat more than there is.

Registrations (joining the waitlist when the event is full), approvals, cancellations
and withdrawals, staff parties, moves and new priorities, leaves, capacity raised and
lowered, offers accepted, declined and expired, in any interleaving, on the
registration application with waitlists. After every step: seats taken plus offered
never exceed the capacity; the ledger's seats taken are the approved participants and
its offers are the waitlist's (and those held for promoted participants in the
workflow); a seat left free is one no waiting entry in front fits; every waitlisted
participant is in exactly one entry; and no participant was promoted twice.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.registration.participant import Participant, ParticipantStatus
from domain.registration.seats import SeatLedger, ledger_id
from domain.shared.errors import DomainError
from domain.waitlists.application import WaitlistedRegistration
from domain.waitlists.queue import Move, Priority
from domain.waitlists.waitlist import OnAccept, Waitlist, WhenFull, waitlist_id

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(hours=1)
TENANT = UUID("00000000-0000-4000-8000-000000000001")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class FullEventMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.app = WaitlistedRegistration({"PERSISTENCE_MODULE": "eventsourcing.popo"}, self.clock)
        self.people: list[UUID] = []  # every participant, in the order they registered
        self.registered = 0

    @initialize(capacity=st.integers(1, 4), workflow=st.booleans())
    def an_open_event_with_seats(self, capacity: int, workflow: bool) -> None:
        self.event_id = self.app.create_event(
            TENANT, "Expo", START, START + timedelta(days=1), "UTC", capacity=capacity
        ).aggregate_id
        self.app.open_registration(TENANT, self.event_id)
        on_accept = OnAccept.WORKFLOW if workflow else OnAccept.APPROVE
        self.app.change_waitlist_settings(
            TENANT, self.event_id, WINDOW, on_accept, WhenFull.WAITLIST
        )

    # Reading

    def participant(self, participant_id: UUID) -> Participant:
        return self.app.participant(TENANT, participant_id)

    def ledger(self) -> SeatLedger:
        return self.app.load(SeatLedger, ledger_id(self.event_id))

    def waitlist(self) -> Waitlist:
        return self.app.load(Waitlist, waitlist_id(self.event_id))

    def with_status(self, status: ParticipantStatus) -> list[UUID]:
        return [p for p in self.people if self.participant(p).status is status]

    def _try(self, command: Callable[..., object], *args: object) -> None:
        # A refusal changes nothing; the invariants check that.
        with contextlib.suppress(DomainError):
            command(*args)

    # Registrants and their workflow

    @rule()
    def someone_registers(self) -> None:
        self.registered += 1
        details = {"first_name": "Ada", "last_name": "Person", "email": f"p{self.registered}@x.org"}
        try:
            ack = self.app.register(TENANT, self.event_id, details, may_wait=True)
        except DomainError:
            return
        self.people.append(ack.aggregate_id)

    @rule(index=st.integers(0, 50), approve=st.booleans())
    def a_pending_participant_is_decided(self, index: int, approve: bool) -> None:
        pending = self.with_status(ParticipantStatus.PENDING)
        if not pending:
            return
        participant = self.participant(pending[index % len(pending)])
        for step in participant.run.active_steps[:1]:
            outcome = "approved" if approve else "rejected"
            self._try(self.app.complete_step, TENANT, participant.id, step, outcome)

    @rule(index=st.integers(0, 50), withdraw=st.booleans())
    def a_participant_cancels_or_withdraws(self, index: int, withdraw: bool) -> None:
        if not self.people:
            return
        participant_id = self.people[index % len(self.people)]
        command = self.app.withdraw if withdraw else self.app.cancel
        self._try(command, TENANT, participant_id)

    @rule(indexes=st.lists(st.integers(0, 50), min_size=1, max_size=3), vip=st.booleans())
    def staff_queue_pending_participants(self, indexes: list[int], vip: bool) -> None:
        pending = self.with_status(ParticipantStatus.PENDING)
        if not pending:
            return
        party = list(dict.fromkeys(pending[i % len(pending)] for i in indexes))
        priority = Priority.VIP if vip else Priority.LOW
        self._try(self.app.join_waitlist, TENANT, self.event_id, party, priority)

    # The waitlist

    def _entry(self, index: int, *, offered: bool) -> UUID | None:
        waitlist = self.waitlist()
        entries = waitlist.offers() if offered else waitlist.waiting()
        return entries[index % len(entries)].id if entries else None

    @rule(index=st.integers(0, 50))
    def an_offer_is_accepted(self, index: int) -> None:
        entry = self._entry(index, offered=True)
        if entry is not None:
            self._try(self.app.accept_offer, TENANT, self.event_id, entry)

    @rule(index=st.integers(0, 50))
    def an_offer_is_declined(self, index: int) -> None:
        entry = self._entry(index, offered=True)
        if entry is not None:
            self._try(self.app.decline_offer, TENANT, self.event_id, entry)

    @rule(minutes=st.integers(1, 90))
    def time_passes_and_offers_expire(self, minutes: int) -> None:
        self.clock.now += timedelta(minutes=minutes)
        self._try(self.app.expire_offers, self.event_id)

    @rule(index=st.integers(0, 50), offered=st.booleans())
    def an_entry_leaves(self, index: int, offered: bool) -> None:
        entry = self._entry(index, offered=offered)
        if entry is not None:
            self._try(self.app.leave_waitlist, TENANT, self.event_id, entry, "changed plans")

    @rule(index=st.integers(0, 50), move=st.sampled_from(Move))
    def staff_move_an_entry(self, index: int, move: Move) -> None:
        entry = self._entry(index, offered=False)
        if entry is not None:
            self._try(self.app.move_waitlist_entry, TENANT, self.event_id, entry, move, "why")

    @rule(index=st.integers(0, 50), priority=st.sampled_from(Priority))
    def staff_reprioritise_an_entry(self, index: int, priority: Priority) -> None:
        entry = self._entry(index, offered=False)
        if entry is not None:
            args = (TENANT, self.event_id, entry, priority, "why")
            self._try(self.app.reprioritise_waitlist_entry, *args)

    @precondition(lambda self: hasattr(self, "event_id"))
    @rule(capacity=st.integers(0, 6))
    def the_capacity_changes(self, capacity: int) -> None:
        self._try(self.app.update_event, TENANT, self.event_id, {"capacity": capacity})

    # What always holds

    @invariant()
    def seats_taken_and_offered_never_exceed_the_capacity(self) -> None:
        if not hasattr(self, "event_id"):
            return
        ledger = self.ledger()
        assert ledger.capacity is not None
        assert ledger.taken() + ledger.offered() <= ledger.capacity

    @invariant()
    def the_ledger_holds_the_approved_and_the_offers(self) -> None:
        if not hasattr(self, "event_id"):
            return
        ledger, waitlist = self.ledger(), self.waitlist()
        assert ledger.taken() == len(self.with_status(ParticipantStatus.APPROVED))
        held_for_workflow = [p for p in self.people if self.participant(p).offer_seat]
        assert ledger.offered() == waitlist.seats_offered() + len(held_for_workflow)
        for entry in waitlist.offers():
            assert entry.offer is not None
            assert ledger.offers[str(entry.offer.id)].seats == entry.offer.seats

    @invariant()
    def a_free_seat_is_one_no_waiting_entry_in_front_fits(self) -> None:
        if not hasattr(self, "event_id"):
            return
        waiting = self.waitlist().waiting()
        free = self.ledger().free()
        if waiting and free is not None:
            assert free < waiting[0].seats

    @invariant()
    def every_waitlisted_participant_is_in_exactly_one_entry(self) -> None:
        if not hasattr(self, "event_id"):
            return
        waitlist = self.waitlist()
        in_entries = Counter(p for e in waitlist.entries.values() for p in e.participant_ids)
        assert all(n == 1 for n in in_entries.values())
        assert set(in_entries) == set(self.with_status(ParticipantStatus.WAITLISTED))
        for participant_id in in_entries:
            entry = waitlist.entry_of(participant_id)
            assert entry is not None
            assert self.participant(participant_id).waitlist_entry == entry.id

    @invariant()
    def no_participant_is_promoted_twice(self) -> None:
        promoted = Counter(
            n.originator_id
            for n in self.app.recorder.select_notifications(1, 1_000_000)
            if n.topic.endswith("Participant.Promoted")
        )
        assert all(n == 1 for n in promoted.values())


TestFullEventHistories = FullEventMachine.TestCase
