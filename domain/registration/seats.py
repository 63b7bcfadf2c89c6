"""The seat ledger: who holds an approved seat at a managed event, within its capacities.

Approving a participant takes a seat, and the ledger is saved with the participant,
so two approvals racing for the last seat conflict on the ledger's version and the
loser is retried against the new count: capacity is never exceeded. The limits it
enforces are copied from the managed event in the same save that changes them.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import RuleViolation
from domain.shared.topics import moved_from


class CapacityReached(RuleViolation):
    code = "capacity-reached"
    title = "No seat is left"


class SeatLedger(Aggregate):
    Opened: ClassVar[type[Aggregate.Created]]
    LimitsSet: ClassVar[type[Aggregate.Event]]
    SeatTaken: ClassVar[type[Aggregate.Event]]
    SeatReleased: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id(event_id: UUID) -> UUID:
        return ledger_id(event_id)

    @event("Opened")
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
        self.holders: dict[str, str | None] = {}  # participant id -> category

    def taken(self, category: str | None = None) -> int:
        """Seats held overall, or in one category."""
        if category is None:
            return len(self.holders)
        return sum(1 for c in self.holders.values() if c == category)

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

    @event("LimitsSet")
    def _limits_set(self, capacity: int | None, category_capacities: dict[str, int | None]) -> None:
        self.capacity = capacity
        self.category_capacities = category_capacities

    def take(self, participant_id: UUID, category: str | None) -> None:
        """Gives the participant a seat, or raises CapacityReached."""
        if str(participant_id) in self.holders:
            return
        if self.capacity is not None and self.taken() >= self.capacity:
            raise CapacityReached(f"all {self.capacity} seats of the event are taken")
        limit = self.category_capacities.get(category) if category is not None else None
        if limit is not None and self.taken(category) >= limit:
            raise CapacityReached(f"all {limit} seats of category '{category}' are taken")
        self._seat_taken(participant_id=participant_id, category=category)

    @event("SeatTaken")
    def _seat_taken(self, participant_id: UUID, category: str | None) -> None:
        self.holders[str(participant_id)] = category

    def release(self, participant_id: UUID) -> None:
        if str(participant_id) in self.holders:
            self._seat_released(participant_id=participant_id)

    @event("SeatReleased")
    def _seat_released(self, participant_id: UUID) -> None:
        self.holders.pop(str(participant_id), None)


def ledger_id(event_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"accredit:seats:{event_id}")


# Histories written before this module moved name its classes by the old path.
moved_from("domain.seats", __name__)
