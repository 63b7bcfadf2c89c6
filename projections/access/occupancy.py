"""The venue occupancy read model: who is inside each zone now, peaks, and 15-minute counts.

It follows the venues (each zone's name, parent and capacity) and the gate logs: each
decided scan and each annulment carries the zones it moved its participant into and
out of, so who is inside is the sum of those moves, without the plan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.access.gate_log import GateLog
from domain.access.scan import ScanResult
from domain.access.venue import Venue
from projections.projector import Projector, on

OK = ScanResult.OK.value


class OccupancyView(Protocol):
    """Where the occupancy projector writes zones, who is inside, peaks and buckets."""

    def event_source(self, source_id: UUID, tenant_id: UUID, event_id: UUID) -> None:
        """A venue or gate log of the event: its domain events count toward the event."""

    def zone_added(self, venue_id: UUID, zone_id: UUID, values: dict[str, Any]) -> None:
        """A zone (name, capacity, parent_id) with no one inside."""

    def zone_changed(self, zone_id: UUID, changes: dict[str, Any]) -> None:
        """Columns of a zone set to new values."""

    def scan_decided(self, log_id: UUID, values: dict[str, Any]) -> None:
        """A decided scan: its result, who, where, when, and the zones entered and left."""

    def scan_annulled(
        self, log_id: UUID, device_id: str, nonce: str, moves: dict[str, Any], at: datetime
    ) -> None:
        """The log's scan with this device and nonce annulled, with the moves undoing it."""


class OccupancyProjector(Projector[OccupancyView]):
    name = "occupancy"
    version = 1
    upstream = ("access",)

    @on(Venue.Created)
    def _venue(self, e: Venue.Created, view: OccupancyView) -> None:
        view.event_source(e.originator_id, e.tenant_id, e.event_id)

    @on(GateLog.Opened)
    def _log(self, e: GateLog.Opened, view: OccupancyView) -> None:
        view.event_source(e.originator_id, e.tenant_id, e.event_id)

    @on(Venue.ZoneAdded)
    def _zone_added(self, e: Venue.ZoneAdded, view: OccupancyView) -> None:
        values = {"name": e.name, "capacity": e.capacity, "parent_id": e.parent_id}
        view.zone_added(e.originator_id, e.zone_id, values)

    @on(Venue.ZoneChanged)
    def _zone_changed(self, e: Venue.ZoneChanged, view: OccupancyView) -> None:
        view.zone_changed(e.zone_id, {"name": e.name, "parent_id": e.parent_id})

    @on(Venue.ZoneCapacityChanged)
    def _zone_capacity(self, e: Venue.ZoneCapacityChanged, view: OccupancyView) -> None:
        view.zone_changed(e.zone_id, {"capacity": e.capacity})

    @on(Venue.ZoneRemoved)
    def _zone_removed(self, e: Venue.ZoneRemoved, view: OccupancyView) -> None:
        view.zone_changed(e.zone_id, {"removed": True})

    @on(GateLog.ScanDecided)
    def _decided(self, e: GateLog.ScanDecided, view: OccupancyView) -> None:
        values = {
            "device_id": e.device_id,
            "nonce": e.nonce,
            "denied": e.result != OK,
            "participant_id": e.participant_id,
            "credential_id": e.credential_id,
            "zone_id": e.zone_id,
            "scanned_at": e.scanned_at,
            "entered": e.entered,
            "left": e.left,
        }
        view.scan_decided(e.originator_id, values)

    @on(GateLog.ScanAnnulled)
    def _annulled(self, e: GateLog.ScanAnnulled, view: OccupancyView) -> None:
        moves = {"entered": e.entered, "left": e.left}
        view.scan_annulled(e.originator_id, e.device_id, e.nonce, moves, e.timestamp)
