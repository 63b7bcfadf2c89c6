"""The venues read model: each event's zones, their rules, and its checkpoints.

Every domain event of a venue moves the venue's version (the ETag its zones and
checkpoints are answered with); zones and checkpoints keep a row each, and a zone's
rules one row per category and time window.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.access.venue import Venue
from projections.projector import Projector, on


class VenuesView(Protocol):
    """Where the venues projector writes venues, zones, zone rules and checkpoints."""

    def venue_started(self, venue_id: UUID, tenant_id: UUID, event_id: UUID, at: datetime) -> None:
        """A venue at version 1, with no zone yet."""

    def venue_changed(self, venue_id: UUID, version: int, at: datetime) -> None:
        """The venue reached a new version."""

    def zone_added(
        self,
        venue_id: UUID,
        zone_id: UUID,
        values: dict[str, Any],  # code, name, capacity, parent_id, reentry
        at: datetime,
    ) -> None:
        """A zone of the venue, with no rules."""

    def zone_changed(self, zone_id: UUID, changes: dict[str, Any], at: datetime) -> None:
        """Columns of a zone set to new values."""

    def zone_rules_replaced(self, zone_id: UUID, rules: list[dict[str, Any]], at: datetime) -> None:
        """Every rule of the zone replaced by these."""

    def zone_removed(self, zone_id: UUID) -> None:
        """A zone gone, with its rules."""

    def checkpoint_added(
        self,
        venue_id: UUID,
        checkpoint_id: UUID,
        values: dict[str, Any],  # name, direction, zone_id
        at: datetime,
    ) -> None:
        """An active checkpoint of the venue."""

    def checkpoint_changed(
        self, checkpoint_id: UUID, changes: dict[str, Any], at: datetime
    ) -> None:
        """Columns of a checkpoint set to new values."""

    def checkpoint_removed(self, checkpoint_id: UUID) -> None:
        """A checkpoint gone."""


class VenuesProjector(Projector[VenuesView]):
    name = "venues"
    version = 1
    upstream = ("access",)

    @on(Venue.Created)
    def _started(self, e: Venue.Created, view: VenuesView) -> None:
        view.venue_started(e.originator_id, e.tenant_id, e.event_id, e.timestamp)

    @on(Venue.ZoneAdded)
    def _zone_added(self, e: Venue.ZoneAdded, view: VenuesView) -> None:
        values = {
            "code": e.code,
            "name": e.name,
            "capacity": e.capacity,
            "parent_id": e.parent_id,
            "reentry": e.reentry,
        }
        view.zone_added(e.originator_id, e.zone_id, values, e.timestamp)
        self._moved(e, view)

    @on(Venue.ZoneChanged)
    def _zone_changed(self, e: Venue.ZoneChanged, view: VenuesView) -> None:
        changes = {"name": e.name, "parent_id": e.parent_id, "reentry": e.reentry}
        view.zone_changed(e.zone_id, changes, e.timestamp)
        self._moved(e, view)

    @on(Venue.ZoneCapacityChanged)
    def _zone_capacity_changed(self, e: Venue.ZoneCapacityChanged, view: VenuesView) -> None:
        view.zone_changed(e.zone_id, {"capacity": e.capacity}, e.timestamp)
        self._moved(e, view)

    @on(Venue.ZoneRulesReplaced)
    def _zone_rules_replaced(self, e: Venue.ZoneRulesReplaced, view: VenuesView) -> None:
        view.zone_rules_replaced(e.zone_id, e.rules, e.timestamp)
        self._moved(e, view)

    @on(Venue.ZoneRemoved)
    def _zone_removed(self, e: Venue.ZoneRemoved, view: VenuesView) -> None:
        view.zone_removed(e.zone_id)
        self._moved(e, view)

    @on(Venue.CheckpointAdded)
    def _checkpoint_added(self, e: Venue.CheckpointAdded, view: VenuesView) -> None:
        values = {"name": e.name, "direction": e.direction, "zone_id": e.zone_id}
        view.checkpoint_added(e.originator_id, e.checkpoint_id, values, e.timestamp)
        self._moved(e, view)

    @on(Venue.CheckpointChanged)
    def _checkpoint_changed(self, e: Venue.CheckpointChanged, view: VenuesView) -> None:
        changes = {"name": e.name, "direction": e.direction, "zone_id": e.zone_id}
        view.checkpoint_changed(e.checkpoint_id, changes, e.timestamp)
        self._moved(e, view)

    @on(Venue.CheckpointActivated)
    def _checkpoint_activated(self, e: Venue.CheckpointActivated, view: VenuesView) -> None:
        view.checkpoint_changed(e.checkpoint_id, {"active": True}, e.timestamp)
        self._moved(e, view)

    @on(Venue.CheckpointDeactivated)
    def _checkpoint_deactivated(self, e: Venue.CheckpointDeactivated, view: VenuesView) -> None:
        view.checkpoint_changed(e.checkpoint_id, {"active": False}, e.timestamp)
        self._moved(e, view)

    @on(Venue.CheckpointRemoved)
    def _checkpoint_removed(self, e: Venue.CheckpointRemoved, view: VenuesView) -> None:
        view.checkpoint_removed(e.checkpoint_id)
        self._moved(e, view)

    @staticmethod
    def _moved(e: Venue.Event, view: VenuesView) -> None:
        view.venue_changed(e.originator_id, e.originator_version, e.timestamp)
