"""Registration with waitlists: full events queue their registrants, freed seats are offered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.registration.participant import ParticipantStatus, ParticipantWaitlisted
from domain.registration.seats import EventFull, SeatLedger, ledger_id
from domain.waitlists.application import InParty, NotWaitlistable, WaitlistedRegistration
from domain.waitlists.queue import Move, Priority
from domain.waitlists.waitlist import Entry, OfferExpired, OnAccept, Waitlist, WhenFull, waitlist_id

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(hours=2)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> WaitlistedRegistration:
    return WaitlistedRegistration({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)


@pytest.fixture
def tenant() -> UUID:
    return uuid4()


def person(n: int) -> dict[str, Any]:
    return {"first_name": "Ada", "last_name": f"Person{n}", "email": f"p{n}@example.org"}


def full_event(
    app: WaitlistedRegistration, tenant: UUID, capacity: int = 2, **options: Any
) -> UUID:
    event_id = app.create_event(
        tenant, "Expo", START, START + timedelta(days=1), "UTC", capacity=capacity, **options
    ).aggregate_id
    app.open_registration(tenant, event_id)
    for n in range(capacity):
        approve(app, tenant, app.register(tenant, event_id, person(n)).aggregate_id)
    return event_id


def approve(app: WaitlistedRegistration, tenant: UUID, participant_id: UUID) -> None:
    while active := app.participant(tenant, participant_id).run.active_steps:
        app.complete_step(tenant, participant_id, active[0], "approved")


def ledger(app: WaitlistedRegistration, event_id: UUID) -> SeatLedger:
    return app.load(SeatLedger, ledger_id(event_id))


def waitlist(app: WaitlistedRegistration, event_id: UUID) -> Waitlist:
    return app.load(Waitlist, waitlist_id(event_id))


def entry_of(app: WaitlistedRegistration, event_id: UUID, participant_id: UUID) -> Entry:
    """The participant's entry, waiting or offered (the test fails if it has none)."""
    entry = waitlist(app, event_id).entry_of(participant_id)
    assert entry is not None, f"{participant_id} is on no entry"
    return entry


def test_a_full_event_refuses_a_registration_unless_the_tenant_has_waitlists(
    app: WaitlistedRegistration, tenant: UUID
) -> None:
    event_id = full_event(app, tenant)
    with pytest.raises(EventFull):
        app.register(tenant, event_id, person(10))
    waiting = app.register(tenant, event_id, person(10), may_wait=True).aggregate
    assert waiting.status is ParticipantStatus.WAITLISTED
    assert waiting.run.active_steps == ()
    entry = waitlist(app, event_id).entry_of(waiting.id)
    assert entry is not None
    assert waiting.waitlist_entry == entry.id
    assert waitlist(app, event_id).rank(entry.id).overall == 1
    with pytest.raises(ParticipantWaitlisted):
        app.complete_step(tenant, waiting.id, "approval", "approved")


def test_an_event_set_to_refuse_when_full_refuses_even_with_waitlists(
    app: WaitlistedRegistration, tenant: UUID
) -> None:
    event_id = full_event(app, tenant)
    app.change_waitlist_settings(tenant, event_id, WINDOW, OnAccept.APPROVE, WhenFull.REFUSE)
    with pytest.raises(EventFull):
        app.register(tenant, event_id, person(10), may_wait=True)


def test_a_cancellation_offers_the_seat_to_the_next_entry_in_the_same_save(
    app: WaitlistedRegistration, tenant: UUID, clock: Clock
) -> None:
    event_id = full_event(app, tenant)
    app.change_waitlist_settings(tenant, event_id, WINDOW, OnAccept.APPROVE, WhenFull.WAITLIST)
    first = app.register(tenant, event_id, person(10), may_wait=True).aggregate_id
    second = app.register(tenant, event_id, person(11), may_wait=True).aggregate_id
    holder = _approved(app, tenant, event_id)[0]
    position = app.cancel(tenant, holder, "cannot come").position
    offered = entry_of(app, event_id, first)
    assert offered is not None
    assert offered.offer is not None
    assert offered.offer.expires_at == clock.now + WINDOW
    assert entry_of(app, event_id, second) is not None
    assert entry_of(app, event_id, second).offer is None
    assert ledger(app, event_id).offered() == 1
    assert ledger(app, event_id).free() == 0
    # The cancellation and the offer are one save: the offer's position is the command's.
    assert position is not None
    ack = app.accept_offer(tenant, event_id, offered.id, actor="api-key:x")
    assert ack.state == "accepted"
    assert app.participant(tenant, first).status is ParticipantStatus.APPROVED
    assert (ledger(app, event_id).taken(), ledger(app, event_id).offered()) == (2, 0)


def _approved(app: WaitlistedRegistration, tenant: UUID, event_id: UUID) -> list[UUID]:
    """The event's approved participants, in registration order."""
    found: list[UUID] = []
    for record in app.recorder.select_notifications(1, 10_000):
        if record.topic.endswith("Participant.Registered"):
            participant = app.participant(tenant, UUID(str(record.originator_id)))
            if participant.event_id == event_id and participant.holds_seat:
                found.append(participant.id)
    return found


def test_declining_and_expiry_pass_the_seat_on_and_end_the_registration(
    app: WaitlistedRegistration, tenant: UUID, clock: Clock
) -> None:
    event_id = full_event(app, tenant, capacity=1)
    app.change_waitlist_settings(tenant, event_id, WINDOW, OnAccept.APPROVE, WhenFull.WAITLIST)
    a, b, c = (
        app.register(tenant, event_id, person(n), may_wait=True).aggregate_id for n in (5, 6, 7)
    )
    holder = next(i for i in _approved(app, tenant, event_id) if i not in (a, b, c))
    app.withdraw(tenant, holder)
    entry_a = entry_of(app, event_id, a)
    assert entry_a is not None
    assert entry_a.offer is not None
    app.decline_offer(tenant, event_id, entry_a.id)
    assert app.participant(tenant, a).status is ParticipantStatus.WITHDRAWN
    entry_b = entry_of(app, event_id, b)
    assert entry_b is not None
    assert entry_b.offer is not None
    assert app.expire_offers(event_id) is None  # nothing due yet
    clock.now += WINDOW
    with pytest.raises(OfferExpired):
        app.accept_offer(tenant, event_id, entry_b.id)
    assert app.expire_offers(event_id) is not None
    assert app.expire_offers(event_id) is None  # idempotent
    assert app.participant(tenant, b).status is ParticipantStatus.CANCELLED
    entry_c = entry_of(app, event_id, c)
    assert entry_c is not None
    assert entry_c.offer is not None
    assert ledger(app, event_id).offered() == 1
    # The e-mail of a registration that ended is free again.
    again = app.register(tenant, event_id, person(5), may_wait=True).aggregate
    assert again.status is ParticipantStatus.WAITLISTED


def queued_party(app: WaitlistedRegistration, tenant: UUID, event_id: UUID, *numbers: int) -> Any:
    """Participants registered while seats were left, then queued by staff as one party."""
    capacity = ledger(app, event_id).capacity
    assert capacity is not None
    app.update_event(tenant, event_id, {"capacity": capacity + len(numbers)})
    party = [app.register(tenant, event_id, person(n)).aggregate_id for n in numbers]
    app.update_event(tenant, event_id, {"capacity": capacity})
    return app.join_waitlist(tenant, event_id, party, Priority.VIP, actor="staff")


def test_freed_seats_go_to_those_waiting_before_any_new_registrant(
    app: WaitlistedRegistration, tenant: UUID
) -> None:
    event_id = full_event(app, tenant, capacity=2)
    holders = _approved(app, tenant, event_id)
    party = queued_party(app, tenant, event_id, 20, 21)
    app.withdraw(tenant, holders[0])
    # One seat is free, but the party first in line waits for two: a newcomer waits too.
    assert waitlist(app, event_id).entry(party.entry.id).offer is None
    newcomer = app.register(tenant, event_id, person(40), may_wait=True).aggregate
    assert newcomer.status is ParticipantStatus.WAITLISTED
    assert ledger(app, event_id).free() == 1


def test_a_party_is_offered_its_seats_together_or_not_at_all(
    app: WaitlistedRegistration, tenant: UUID
) -> None:
    event_id = full_event(app, tenant, capacity=2)
    holders = _approved(app, tenant, event_id)
    joined = queued_party(app, tenant, event_id, 50, 51)
    p1, p2 = joined.entry.participant_ids
    assert joined.state == "waiting"
    assert app.participant(tenant, p1).status is ParticipantStatus.WAITLISTED
    single = app.register(tenant, event_id, person(52), may_wait=True).aggregate_id
    with pytest.raises(InParty):
        app.withdraw(tenant, p1)
    app.cancel(tenant, holders[0])
    wl = waitlist(app, event_id)
    assert wl.entry(joined.entry.id).offer is None  # one seat: not enough for the party
    assert entry_of(app, event_id, single) is not None
    assert entry_of(app, event_id, single).offer is None
    app.cancel(tenant, holders[1])
    wl = waitlist(app, event_id)
    offer = wl.entry(joined.entry.id).offer
    assert offer is not None
    assert offer.seats == 2
    app.accept_offer(tenant, event_id, joined.entry.id)
    assert {app.participant(tenant, p).status for p in (p1, p2)} == {ParticipantStatus.APPROVED}
    assert ledger(app, event_id).taken() == 2


def test_staff_cannot_queue_an_approved_participant_and_may_move_an_entry_within_its_band(
    app: WaitlistedRegistration, tenant: UUID
) -> None:
    event_id = full_event(app, tenant, capacity=1)
    holder = _approved(app, tenant, event_id)[0]
    with pytest.raises(NotWaitlistable):
        app.join_waitlist(tenant, event_id, [holder])
    a, b = (app.register(tenant, event_id, person(n), may_wait=True).aggregate_id for n in (60, 61))
    entry_b = entry_of(app, event_id, b)
    assert entry_b is not None
    moved = app.move_waitlist_entry(tenant, event_id, entry_b.id, Move.TOP, "speaker", "staff")
    assert waitlist(app, event_id).rank(moved.entry.id).overall == 1
    raised = app.reprioritise_waitlist_entry(
        tenant,
        event_id,
        entry_of(app, event_id, a).id,
        Priority.VIP,
        "sponsor",
    )
    assert waitlist(app, event_id).rank(raised.entry.id).overall == 1


def test_a_capacity_raised_offers_the_new_seats_down_the_order(
    app: WaitlistedRegistration, tenant: UUID
) -> None:
    event_id = full_event(app, tenant, capacity=1)
    waiting = [
        app.register(tenant, event_id, person(n), may_wait=True).aggregate_id for n in range(70, 74)
    ]
    app.update_event(tenant, event_id, {"capacity": 3})
    waitlist(app, event_id)
    offered = [
        p for p in waiting if (e := entry_of(app, event_id, p)) is not None and e.offer is not None
    ]
    assert offered == waiting[:2]
    assert ledger(app, event_id).free() == 0


def test_accepting_into_the_workflow_holds_the_seat_until_the_workflow_decides(
    app: WaitlistedRegistration, tenant: UUID
) -> None:
    event_id = full_event(app, tenant, capacity=1)
    app.change_waitlist_settings(tenant, event_id, WINDOW, OnAccept.WORKFLOW, WhenFull.WAITLIST)
    holder = _approved(app, tenant, event_id)[0]
    a, b = (app.register(tenant, event_id, person(n), may_wait=True).aggregate_id for n in (80, 81))
    app.cancel(tenant, holder)
    entry = entry_of(app, event_id, a)
    assert entry is not None
    app.accept_offer(tenant, event_id, entry.id)
    promoted = app.participant(tenant, a)
    assert promoted.status is ParticipantStatus.PENDING
    assert promoted.run.active_steps
    assert ledger(app, event_id).offered() == 1
    # The workflow rejects: the seat passes to the next entry.
    app.complete_step(tenant, a, promoted.run.active_steps[0], "rejected")
    next_entry = entry_of(app, event_id, b)
    assert next_entry is not None
    assert next_entry.offer is not None
    app.accept_offer(tenant, event_id, next_entry.id)
    approve(app, tenant, b)
    assert app.participant(tenant, b).status is ParticipantStatus.APPROVED
    assert (ledger(app, event_id).taken(), ledger(app, event_id).offered()) == (1, 0)


def test_merging_a_waitlisted_duplicate_takes_it_off_and_unmerging_queues_it_again(
    app: WaitlistedRegistration, tenant: UUID
) -> None:
    event_id = full_event(app, tenant, capacity=1)
    a = app.register(tenant, event_id, person(90), may_wait=True).aggregate_id
    b = app.register(tenant, event_id, person(91), may_wait=True).aggregate_id
    merge = app.merge_participants(tenant, a, b).aggregate_id
    assert waitlist(app, event_id).entry_of(b) is None
    app.unmerge(tenant, merge)
    assert app.participant(tenant, b).status is ParticipantStatus.WAITLISTED
    assert entry_of(app, event_id, b) is not None
