"""A waitlist's order, and who gets the seats that free: the rules, apart from their events.

Entries wait in bands, one per priority (VIP, HIGH, NORMAL, LOW), first come first
served within a band; staff move an entry within its band, or change its priority
(it then joins the end of its new band). An entry is one person or a party offered its
seats together or not at all. Seats go down the order: an entry that cannot be seated
keeps the seats it waits for from everyone behind it (a party is not passed over by
the single people behind it), but not others': one waiting for a full category does
not stop those of other categories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Priority(StrEnum):
    VIP = "VIP"
    HIGH = "HIGH"
    NORMAL = "NORMAL"
    LOW = "LOW"

    @property
    def band(self) -> int:
        """Its band's place in the order: 0 first."""
        return _BANDS.index(self)


_BANDS = (Priority.VIP, Priority.HIGH, Priority.NORMAL, Priority.LOW)


class Move(StrEnum):
    UP = "up"
    DOWN = "down"
    TOP = "top"
    END = "end"


@dataclass(frozen=True)
class Place:
    """What the order needs of a waiting entry."""

    entry_id: UUID
    priority: Priority
    category: str | None
    seats: int


def joined_at(order: Sequence[Place], priority: Priority) -> int:
    """Where a new entry of this priority goes: the end of its band."""
    index = len(order)
    while index > 0 and order[index - 1].priority.band > priority.band:
        index -= 1
    return index


def moved_to(order: Sequence[Place], index: int, move: Move) -> int:
    """Where the entry at `index` goes, within its band (its own index: nowhere)."""
    band = order[index].priority
    first = index
    while first > 0 and order[first - 1].priority is band:
        first -= 1
    last = index
    while last < len(order) - 1 and order[last + 1].priority is band:
        last += 1
    if move is Move.UP:
        return max(first, index - 1)
    if move is Move.DOWN:
        return min(last, index + 1)
    return first if move is Move.TOP else last


@dataclass(frozen=True)
class FreeSeats:
    """Seats no one holds or is offered: in all, and per category (None: no limit)."""

    total: int | None
    by_category: Mapping[str, int | None]


def seated(order: Sequence[Place], free: FreeSeats) -> list[Place]:
    """The entries, in order, that the free seats go to now."""
    total = free.total
    by_category = dict(free.by_category)
    stopped: set[str | None] = set()  # categories whose seats an earlier entry waits for
    chosen: list[Place] = []
    for place in order:
        category = place.category
        if category in stopped:
            continue
        if total is not None and total < place.seats:
            break  # it waits for seats of the event: no one behind it is seated before it
        limit = by_category.get(category) if category is not None else None
        if limit is not None and limit < place.seats:
            stopped.add(category)
            continue
        chosen.append(place)
        if total is not None:
            total -= place.seats
        if category is not None and limit is not None:
            by_category[category] = limit - place.seats
    return chosen
