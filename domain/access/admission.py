"""Whether a participant may come into a zone: its rules, its re-entry policy, its room."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.access.plan import ReentryPolicy
from domain.access.scan import ScanResult
from domain.access.scan_ledger import ScanLedger
from domain.access.venue import Venue
from domain.access.zone_moves import Zones

Refusal = tuple[ScanResult, str]


def by_rules(venue: Venue, zone_id: UUID, category: str | None, at: datetime) -> Refusal | None:
    """WRONG_ZONE if a zone of the chain never lets the category in; else a window refusal."""
    if venue.may_enter(zone_id, category, at):
        return None
    for zone in venue.zone_chain(zone_id):
        if not zone.admits(category, at) and all(r.category != category for r in zone.rules):
            return ScanResult.WRONG_ZONE, f"{zone.name} does not let in {category or 'them'}"
    return ScanResult.OUTSIDE_VALIDITY_WINDOW, "not at this time"


def by_reentry(
    venue: Venue,
    ledger: ScanLedger,
    zone_id: UUID,
    participant_id: UUID,
    current: Zones,
    entered: Zones,
) -> Refusal | None:
    """The zone's own policy, and single entry for each zone around it the scan enters."""
    zone = venue.zone(zone_id)
    if zone_id in current and zone.reentry is not ReentryPolicy.UNLIMITED:
        return ScanResult.ALREADY_INSIDE, f"already inside {zone.name}"
    for entering in entered:
        once = venue.zone(entering)
        if (
            once.reentry is ReentryPolicy.SINGLE_ENTRY
            and ledger.entered_before[(participant_id, entering)] > 0
        ):
            return ScanResult.ALREADY_INSIDE, f"{once.name} lets each participant in once"
    return None


def by_room(venue: Venue, ledger: ScanLedger, entered: Zones) -> Refusal | None:
    """ZONE_FULL if one of the zones entered has no place left."""
    for zone_id in entered:
        zone = venue.zone(zone_id)
        if zone.capacity is not None and ledger.inside(zone_id) >= zone.capacity:
            return ScanResult.ZONE_FULL, f"{zone.name} is full"
    return None
