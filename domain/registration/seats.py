"""The seat ledger: how many approved seats a managed event's participants hold, within limits.

Approving a participant takes a seat, and the ledger is saved with the participant,
so two approvals racing for the last seat conflict on the ledger's version and the
loser is retried against the new count: capacity is never exceeded. The limits it
enforces are copied from the managed event in the same save that changes them.

The ledger keeps counts, not holders, so its size and the cost of loading it stay
the same however many seats are taken. Ledgers written before it kept counts
recorded `SeatTaken` and `SeatReleased` (whose release names no category): those
holders are kept, under `legacy_holders`, until each has given back its seat.

Seats offered to waitlist entries are held by the ledger too, by offer: they count
against the capacity like taken ones until the offer is seated (its seats are then
taken) or released.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Transcoding

from domain.shared.errors import RuleViolation
from domain.shared.topics import moved_from


class CapacityReached(RuleViolation):
    code = "capacity-reached"
    title = "No seat is left"


class EventFull(RuleViolation):
    """A registration for an event (or a category) whose seats are all taken or offered."""

    code = "event-full"
    title = "The event is full"


class OfferNotHeld(RuleViolation):
    code = "offer-not-held"
    title = "No seats are held for the offer"


@dataclass(frozen=True)
class Hold:
    """The seats held for one offer."""

    seats: int
    category: str | None


class HoldAsDict(Transcoding):
    """Lets snapshots of seat ledgers store the seats held for offers."""

    type = Hold
    name = "seat_ledger_hold"

    def encode(self, obj: Hold) -> dict[str, Any]:
        return {"seats": obj.seats, "category": obj.category}

    def decode(self, data: dict[str, Any]) -> Hold:
        return Hold(**data)


class SeatLedger(Aggregate):
    # Version 2 keeps counts; snapshots of version 1 kept every holder. Version 3 holds
    # the seats of offers.
    class_version = 3

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

    class OfferHeld(Aggregate.Event):
        """Seats were held for a waitlist offer (they count as taken until it is answered)."""

        offer_id: UUID
        seats: int
        category: str | None

    class OfferReleased(Aggregate.Event):
        """An offer's held seats were given back: declined, expired or left."""

        offer_id: UUID

    class OfferSeatReleased(Aggregate.Event):
        """One seat an accepted offer held for a participant in the workflow was given back."""

        offer_id: UUID
        participant_id: UUID

    class OfferSeated(Aggregate.Event):
        """An accepted offer's participants took the seats it held."""

        offer_id: UUID
        participant_ids: list[UUID]

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
        self.offers: dict[str, Hold] = {}  # offer id -> its seats, while held

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

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """A snapshot from before offers: none held."""
        state["offers"] = {}

    def taken(self, category: str | None = None) -> int:
        """Seats held overall, or in one category."""
        if category is None:
            return self.seats_taken
        return self.seats_by_category.get(category, 0)

    def offered(self, category: str | None = None) -> int:
        """Seats held for offers, overall or in one category."""
        return sum(
            h.seats for h in self.offers.values() if category is None or h.category == category
        )

    def free(self, category: str | None = None) -> int | None:
        """Seats neither taken nor offered, overall or in one category; None: no limit."""
        limit = self.capacity if category is None else self.category_capacities.get(category)
        if limit is None:
            return None
        return max(0, limit - self.taken(category) - self.offered(category))

    def check_not_full(self, category: str | None) -> None:
        """EventFull if no seat is left for a new registration (in its category)."""
        if self.free() == 0:
            raise EventFull(f"all {self.capacity} seats of the event are taken or offered")
        if category is not None and self.free(category) == 0:
            limit = self.category_capacities[category]
            raise EventFull(f"all {limit} seats of category '{category}' are taken or offered")

    def free_by_category(self) -> dict[str, int | None]:
        """Free seats of every category the event limits."""
        return {code: self.free(code) for code in self.category_capacities}

    def set_limits(self, capacity: int | None, category_capacities: dict[str, int | None]) -> None:
        """New limits; refused below the seats already held (nobody loses a seat)."""
        held = self.taken() + self.offered()
        if capacity is not None and capacity < held:
            raise CapacityReached(
                f"{held} seats are taken or offered already; the capacity cannot be lower"
            )
        for code, limit in category_capacities.items():
            held = self.taken(code) + self.offered(code)
            if limit is not None and limit < held:
                raise CapacityReached(
                    f"{held} seats of category '{code}' are taken or offered already; its "
                    f"capacity cannot be lower"
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
        self._check_room(1, category)
        self._seat_held(participant_id=participant_id, category=category)

    def _check_room(self, seats: int, category: str | None) -> None:
        free = self.free()
        if free is not None and free < seats:
            raise CapacityReached(f"all {self.capacity} seats of the event are taken or offered")
        if category is None:
            return
        in_category = self.free(category)
        if in_category is not None and in_category < seats:
            limit = self.category_capacities[category]
            raise CapacityReached(
                f"all {limit} seats of category '{category}' are taken or offered"
            )

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

    def hold_offer(self, offer_id: UUID, seats: int, category: str | None) -> None:
        """Holds seats for a waitlist offer (once per offer), or raises CapacityReached."""
        if str(offer_id) in self.offers:
            return
        self._check_room(seats, category)
        self._offer_held(offer_id=offer_id, seats=seats, category=category)

    @event(OfferHeld)
    def _offer_held(self, offer_id: UUID, seats: int, category: str | None) -> None:
        self.offers[str(offer_id)] = Hold(seats, category)

    def release_offer(self, offer_id: UUID) -> bool:
        """Gives back an offer's seats; False if it holds none (released or seated)."""
        if str(offer_id) not in self.offers:
            return False
        self._offer_released(offer_id=offer_id)
        return True

    @event(OfferReleased)
    def _offer_released(self, offer_id: UUID) -> None:
        del self.offers[str(offer_id)]

    def seat_offer(self, offer_id: UUID, participant_ids: list[UUID]) -> None:
        """Participants of the accepted offer take seats it held, one each (all at once, or
        one by one as each one's workflow approves)."""
        hold = self.offers.get(str(offer_id))
        if hold is None:
            raise OfferNotHeld(f"no seats are held for the offer {offer_id}")
        if len(participant_ids) > hold.seats:
            raise OfferNotHeld(
                f"the offer {offer_id} holds {hold.seats} seats, not {len(participant_ids)}"
            )
        self._offer_seated(offer_id=offer_id, participant_ids=list(participant_ids))

    @event(OfferSeated)
    def _offer_seated(self, offer_id: UUID, participant_ids: list[UUID]) -> None:
        hold = self.offers.pop(str(offer_id))
        for _ in participant_ids:
            self._count(hold.category, +1)
        if hold.seats > len(participant_ids):
            self.offers[str(offer_id)] = Hold(hold.seats - len(participant_ids), hold.category)

    def release_offer_seat(self, offer_id: UUID, participant_id: UUID) -> bool:
        """Gives back the one seat the offer held for this participant (its workflow
        rejected it, or it left); False if the offer holds none."""
        if str(offer_id) not in self.offers:
            return False
        self._offer_seat_released(offer_id=offer_id, participant_id=participant_id)
        return True

    @event(OfferSeatReleased)
    def _offer_seat_released(self, offer_id: UUID, participant_id: UUID) -> None:
        del participant_id  # for the record only
        hold = self.offers.pop(str(offer_id))
        if hold.seats > 1:
            self.offers[str(offer_id)] = Hold(hold.seats - 1, hold.category)

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
