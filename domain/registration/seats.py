"""The seat ledger: how many approved seats a managed event's participants hold, within limits.

Approving a participant takes a seat, and the ledger is saved with the participant,
so two approvals racing for the last seat conflict on the ledger's version and the
loser is retried against the new count: capacity is never exceeded. The limits it
enforces are copied from the managed event in the same save that changes them.

The ledger keeps counts, not holders, so its size and the cost of loading it stay
the same however many seats are taken. Ledgers written before it kept counts
recorded `SeatTaken` and `SeatReleased` (whose release names no category): those
holders are kept, under `legacy_holders`, until each has given back its seat.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import RuleViolation
from domain.shared.topics import moved_from


class CapacityReached(RuleViolation):
    code = "capacity-reached"
    title = "No seat is left"


class SeatLedger(Aggregate):
    # Version 2 keeps counts; snapshots of version 1 kept every holder.
    class_version = 2

    # Domain events: a public contract, each with its typed payload.

    class Opened(Aggregate.Created):
        """The seat ledger of a new event, with its capacities."""

        event_id: UUID
        tenant_id: UUID
        capacity: int | None
        category_capacities: dict[str, int | None]

    class LimitsSet(Aggregate.Event):
        """The capacities changed, as the event's did."""

        capacity: int | None
        category_capacities: dict[str, int | None]

    class SeatHeld(Aggregate.Event):
        """An approved participant took a seat (in its category)."""

        participant_id: UUID
        category: str | None

    class SeatFreed(Aggregate.Event):
        """A participant holding a seat withdrew or was cancelled."""

        participant_id: UUID
        category: str | None

    class SeatTaken(Aggregate.Event):
        """A seat taken by a ledger that kept its holders (recorded before counts)."""

        participant_id: UUID
        category: str | None

    class SeatReleased(Aggregate.Event):
        """A seat given back to a ledger that kept its holders (recorded before counts)."""

        participant_id: UUID

    @staticmethod
    def create_id(event_id: UUID) -> UUID:
        return ledger_id(event_id)

    @event(Opened)
    def __init__(
        self,
        event_id: UUID,
        tenant_id: UUID,
        capacity: int | None,
        category_capacities: dict[str, int | None],
    ) -> None:
        self.event_id = event_id
        self.tenant_id = tenant_id
        self.capacity = capacity
        self.category_capacities = dict(category_capacities)
        self.seats_taken = 0
        self.seats_by_category: dict[str, int] = {}  # only categories holding seats
        self.legacy_holders: dict[str, str | None] = {}  # participant id -> category

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot that kept every holder: count them, and keep them as legacy holders."""
        holders: dict[str, str | None] = state.pop("holders", {})
        by_category: dict[str, int] = {}
        for category in holders.values():
            if category is not None:
                by_category[category] = by_category.get(category, 0) + 1
        state["seats_taken"] = len(holders)
        state["seats_by_category"] = by_category
        state["legacy_holders"] = dict(holders)

    def taken(self, category: str | None = None) -> int:
        """Seats held overall, or in one category."""
        if category is None:
            return self.seats_taken
        return self.seats_by_category.get(category, 0)

    def set_limits(self, capacity: int | None, category_capacities: dict[str, int | None]) -> None:
        """New limits; refused below the seats already held (nobody loses a seat)."""
        if capacity is not None and capacity < self.taken():
            raise CapacityReached(
                f"{self.taken()} participants are approved already; the capacity cannot be lower"
            )
        for code, limit in category_capacities.items():
            if limit is not None and limit < self.taken(code):
                raise CapacityReached(
                    f"{self.taken(code)} participants of category '{code}' are approved "
                    f"already; its capacity cannot be lower"
                )
        if (capacity, category_capacities) != (self.capacity, self.category_capacities):
            self._limits_set(capacity=capacity, category_capacities=dict(category_capacities))

    @event(LimitsSet)
    def _limits_set(self, capacity: int | None, category_capacities: dict[str, int | None]) -> None:
        self.capacity = capacity
        self.category_capacities = category_capacities

    def take(self, participant_id: UUID, category: str | None) -> None:
        """Gives the participant a seat, or raises CapacityReached.

        The caller takes a participant's seat once, when its workflow approves it.
        """
        if self.capacity is not None and self.taken() >= self.capacity:
            raise CapacityReached(f"all {self.capacity} seats of the event are taken")
        limit = self.category_capacities.get(category) if category is not None else None
        if limit is not None and self.taken(category) >= limit:
            raise CapacityReached(f"all {limit} seats of category '{category}' are taken")
        self._seat_held(participant_id=participant_id, category=category)

    @event(SeatHeld)
    def _seat_held(self, participant_id: UUID, category: str | None) -> None:
        del participant_id  # recorded for auditors; the ledger keeps counts
        self._count(category, +1)

    def release(self, participant_id: UUID, category: str | None) -> None:
        """Gives back the seat the participant holds (in its category)."""
        # A seat taken before the ledger kept counts is in the category it was taken in.
        category = self.legacy_holders.get(str(participant_id), category)
        self._seat_freed(participant_id=participant_id, category=category)

    @event(SeatFreed)
    def _seat_freed(self, participant_id: UUID, category: str | None) -> None:
        self.legacy_holders.pop(str(participant_id), None)
        self._count(category, -1)

    @event(SeatTaken)
    def _seat_taken(self, participant_id: UUID, category: str | None) -> None:
        self.legacy_holders[str(participant_id)] = category
        self._count(category, +1)

    @event(SeatReleased)
    def _seat_released(self, participant_id: UUID) -> None:
        if str(participant_id) in self.legacy_holders:
            self._count(self.legacy_holders.pop(str(participant_id)), -1)

    def _count(self, category: str | None, step: int) -> None:
        self.seats_taken += step
        if category is not None:
            held = self.seats_by_category.get(category, 0) + step
            if held:
                self.seats_by_category[category] = held
            else:
                self.seats_by_category.pop(category, None)


def ledger_id(event_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"accredit:seats:{event_id}")


# Histories written before this module moved name its classes by the old path.
moved_from(
    "domain.seats",
    __name__,
    existed=(
        "SeatLedger",
        "SeatLedger.Opened",
        "SeatLedger.LimitsSet",
        "SeatLedger.SeatTaken",
        "SeatLedger.SeatReleased",
    ),
)
