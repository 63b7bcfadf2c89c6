"""Where a scan takes a participant: the zones they enter and leave, innermost first.

A participant is in one innermost zone and so in every zone around it: their
whereabouts are that zone's chain. Entering a zone outside it leaves the zones of
the old chain the new one does not share; leaving a zone leaves the zones inside it.
"""

from __future__ import annotations

from uuid import UUID

from domain.access.plan import UnknownZone
from domain.access.venue import Venue

Zones = tuple[UUID, ...]
Moves = tuple[Zones, Zones]  # (entered, left)
NO_MOVES: Moves = ((), ())


def into(venue: Venue, current: Zones, zone_id: UUID) -> Moves:
    """Into the zone and the zones it sits in; out of those of `current` it is not in."""
    if zone_id in current:
        return NO_MOVES
    chain = tuple(z.id for z in venue.zone_chain(zone_id))
    return tuple(z for z in chain if z not in current), tuple(z for z in current if z not in chain)


def out_of(current: Zones, zone_id: UUID) -> Zones:
    """The zones one leaves by leaving `zone_id`: it, and those inside it."""
    return current[: current.index(zone_id) + 1] if zone_id in current else ()


def out_of_any(current: Zones, zones: Zones) -> Zones:
    """The zones one leaves by leaving all of `zones` one is still in."""
    present = [n for n, zone_id in enumerate(current) if zone_id in zones]
    return current[: max(present) + 1] if present else ()


def back_into(venue: Venue, current: Zones, left: Zones) -> Moves:
    """Back into the innermost of the zones an exit left, if the plan still has it."""
    if not left:
        return NO_MOVES
    try:
        return into(venue, current, left[0])
    except UnknownZone:
        return NO_MOVES
