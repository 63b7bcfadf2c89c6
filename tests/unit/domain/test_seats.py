"""The seat ledger counts seats: its size does not grow with them, and old ledgers still count."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, Snapshot

from domain.registration.seats import CapacityReached, SeatLedger


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
