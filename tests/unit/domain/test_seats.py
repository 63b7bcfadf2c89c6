"""The seat ledger counts seats: its size does not grow with them, and old ledgers still count."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, Snapshot

from domain.registration.application import RegistrationApplication
from domain.registration.seats import CapacityReached, OfferNotHeld, SeatLedger


def ledger(capacity: int | None = None, press: int | None = None) -> SeatLedger:
    return SeatLedger(
        event_id=uuid4(), tenant_id=uuid4(), capacity=capacity, category_capacities={"press": press}
    )


def snapshot_size(aggregate: Aggregate) -> int:
    """The size of the state a snapshot of the aggregate stores (and a load copies)."""
    return len(json.dumps(Snapshot.take(aggregate).state, default=str))


def test_taking_a_thousand_seats_leaves_the_ledger_as_small_as_taking_ten() -> None:
    few, many = ledger(), ledger()
    for _ in range(10):
        few.take(uuid4(), "press")
    for _ in range(1000):
        many.take(uuid4(), "press")

    assert many.taken() == 1000
    assert many.taken("press") == 1000
    # Only numbers differ (the version, the counts): a few digits, not a thousand holders.
    assert snapshot_size(many) - snapshot_size(few) < 10


def test_seats_are_counted_per_category_and_given_back() -> None:
    seats = ledger(capacity=3, press=1)
    ada, bob, cyd = uuid4(), uuid4(), uuid4()
    seats.take(ada, "press")
    seats.take(bob, None)

    with pytest.raises(CapacityReached):
        seats.take(cyd, "press")
    seats.release(ada, "press")
    seats.take(cyd, "press")

    assert (seats.taken(), seats.taken("press")) == (2, 1)
    with pytest.raises(CapacityReached):
        seats.set_limits(1, {"press": 1})


class Seats(Application[UUID]):
    snapshotting_intervals = {SeatLedger: 3}


def _legacy_ledger(holders: dict[UUID, str | None]) -> SeatLedger:
    """A ledger as the code before counts wrote it: its SeatTaken domain events."""
    seats = ledger(capacity=10, press=5)
    for participant_id, category in holders.items():
        seats._seat_taken(participant_id=participant_id, category=category)
    return seats


def test_a_seat_taken_before_counts_is_given_back_in_its_own_category() -> None:
    ada, bob = uuid4(), uuid4()
    app = Seats()
    seats = _legacy_ledger({ada: "press", bob: None})
    app.save(seats)

    loaded: SeatLedger = app.repository.get(seats.id)
    # The release names a category of its own; the seat was taken in "press".
    loaded.release(ada, None)
    app.save(loaded)
    again: SeatLedger = app.repository.get(seats.id)

    assert (again.taken(), again.taken("press")) == (1, 0)
    assert again.legacy_holders == {str(bob): None}


def test_a_snapshot_of_a_ledger_that_kept_its_holders_loads_as_counts() -> None:
    ada, bob, cyd = uuid4(), uuid4(), uuid4()
    state = {"holders": {str(ada): "press", str(bob): "press", str(cyd): None}}

    SeatLedger.upcast_v1_v2(state)

    assert state["seats_taken"] == 3
    assert state["seats_by_category"] == {"press": 2}
    assert state["legacy_holders"] == {str(ada): "press", str(bob): "press", str(cyd): None}


def test_seats_offered_count_against_the_capacity_until_seated_or_released() -> None:
    seats = ledger(capacity=3, press=2)
    offer, other = uuid4(), uuid4()
    seats.take(uuid4(), None)
    seats.hold_offer(offer, 2, "press")
    seats.hold_offer(offer, 2, "press")  # the same offer again holds nothing more

    assert (seats.free(), seats.free("press"), seats.offered()) == (0, 0, 2)
    with pytest.raises(CapacityReached):
        seats.take(uuid4(), None)
    with pytest.raises(CapacityReached):
        seats.hold_offer(other, 1, None)
    with pytest.raises(CapacityReached):
        seats.set_limits(2, {"press": 2})

    ada, bob = uuid4(), uuid4()
    seats.seat_offer(offer, [ada, bob])
    assert (seats.taken(), seats.taken("press"), seats.offered()) == (3, 2, 0)
    seats.release(ada, "press")
    seats.hold_offer(other, 1, "press")
    assert seats.release_offer(other) is True
    assert seats.release_offer(other) is False
    assert (seats.free(), seats.free("press")) == (1, 1)


def test_an_offer_seats_at_most_one_participant_per_seat_it_holds() -> None:
    seats = ledger(capacity=5)
    offer = uuid4()
    seats.hold_offer(offer, 2, None)

    with pytest.raises(OfferNotHeld):
        seats.seat_offer(offer, [uuid4(), uuid4(), uuid4()])
    seats.seat_offer(offer, [uuid4()])
    assert (seats.taken(), seats.offered()) == (1, 1)
    seats.seat_offer(offer, [uuid4()])
    assert (seats.taken(), seats.offered()) == (2, 0)
    with pytest.raises(OfferNotHeld):
        seats.seat_offer(offer, [uuid4()])


def test_an_offer_gives_back_the_seat_of_one_participant_its_workflow_rejected() -> None:
    seats = ledger(capacity=3)
    offer = uuid4()
    seats.hold_offer(offer, 2, None)

    assert seats.release_offer_seat(offer, uuid4())
    assert (seats.offered(), seats.free()) == (1, 2)
    assert seats.release_offer_seat(offer, uuid4())
    assert not seats.release_offer_seat(offer, uuid4())
    assert seats.free() == 3


class Registrations(RegistrationApplication):
    snapshotting_intervals = {SeatLedger: 2}


def test_a_ledger_holding_offers_loads_from_its_snapshot_and_from_one_before_offers() -> None:
    app = Registrations()
    seats = ledger(capacity=4)
    offer = uuid4()
    seats.hold_offer(offer, 2, None)
    seats.take(uuid4(), None)
    app.save(seats)

    loaded: SeatLedger = app.repository.get(seats.id)
    older = {"seats_taken": 1, "seats_by_category": {}, "legacy_holders": {}}
    SeatLedger.upcast_v2_v3(older)

    assert app.snapshots is not None
    assert list(app.snapshots.get(seats.id))
    assert (loaded.offered(), loaded.taken(), loaded.free()) == (2, 1, 1)
    assert loaded.release_offer(offer) is True
    assert older["offers"] == {}
