"""The access plan's commands: zones, checkpoints, and who may enter which zone when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.access.plan import ReentryPolicy
from domain.access.venue import Venue, venue_id
from domain.shared.application import AccreditApplication, Ack, check_version, retry_on_conflict
from domain.shared.errors import NotFound, VersionMismatch


@dataclass(frozen=True)
class Added:
    """The answer to a command that adds to a venue: the venue, and the new part's id."""

    ack: Ack[Venue]
    id: UUID


class VenueCommands(AccreditApplication):
    """The access application's commands on each event's Venue."""

    # Venues: zones, checkpoints, and who may enter which zone when (domain.access.venue).
    # Callers check that the event exists for the tenant, and pass its category codes.

    def venue(self, tenant_id: UUID, event_id: UUID) -> Venue:
        """The event's access plan, read-only (for decisions and answers)."""
        return self.load(Venue, venue_id(tenant_id, event_id), readonly=True)

    @retry_on_conflict
    def add_zone(
        self,
        tenant_id: UUID,
        event_id: UUID,
        code: str,
        name: str,
        capacity: int | None = None,
        parent_id: UUID | None = None,
        reentry: str = ReentryPolicy.REENTRY_AFTER_EXIT.value,
        expected_version: int | None = None,
    ) -> Added:
        """Adds a zone, starting the event's access plan if it has none."""
        venue = self._venue(tenant_id, event_id, expected_version, starting=True)
        zone_id = venue.add_zone(code, name, capacity, parent_id, reentry)
        return Added(self.ack(venue), zone_id)

    @retry_on_conflict
    def change_zone(
        self,
        tenant_id: UUID,
        event_id: UUID,
        zone_id: UUID,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> Ack[Venue]:
        """Changes a zone's name, parent or re-entry policy."""
        venue = self._venue(tenant_id, event_id, expected_version)
        venue.change_zone(zone_id, changes)
        return self.ack(venue)

    @retry_on_conflict
    def change_zone_capacity(
        self,
        tenant_id: UUID,
        event_id: UUID,
        zone_id: UUID,
        capacity: int | None,
        expected_version: int | None = None,
    ) -> Ack[Venue]:
        """Sets a zone's capacity (None: no limit), even below the people inside."""
        venue = self._venue(tenant_id, event_id, expected_version)
        venue.change_zone_capacity(zone_id, capacity)
        return self.ack(venue)

    @retry_on_conflict
    def replace_zone_rules(
        self,
        tenant_id: UUID,
        event_id: UUID,
        zone_id: UUID,
        rules: Iterable[Mapping[str, Any]],
        categories: Iterable[str],
        expected_version: int | None = None,
    ) -> Ack[Venue]:
        """Replaces which of the event's categories may enter a zone, and when."""
        venue = self._venue(tenant_id, event_id, expected_version)
        venue.replace_zone_rules(zone_id, rules, categories)
        return self.ack(venue)

    @retry_on_conflict
    def remove_zone(
        self, tenant_id: UUID, event_id: UUID, zone_id: UUID, expected_version: int | None = None
    ) -> Ack[Venue]:
        """Removes a zone no zone sits in and no checkpoint leads to."""
        venue = self._venue(tenant_id, event_id, expected_version)
        venue.remove_zone(zone_id)
        return self.ack(venue)

    @retry_on_conflict
    def add_checkpoint(
        self,
        tenant_id: UUID,
        event_id: UUID,
        name: str,
        direction: str,
        zone_id: UUID,
        expected_version: int | None = None,
    ) -> Added:
        """Adds an active checkpoint leading into or out of a zone of the event."""
        venue = self._venue(tenant_id, event_id, expected_version)
        checkpoint_id = venue.add_checkpoint(name, direction, zone_id)
        return Added(self.ack(venue), checkpoint_id)

    @retry_on_conflict
    def change_checkpoint(
        self,
        tenant_id: UUID,
        event_id: UUID,
        checkpoint_id: UUID,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> Ack[Venue]:
        """Changes a checkpoint's name, direction or zone."""
        venue = self._venue(tenant_id, event_id, expected_version)
        venue.change_checkpoint(checkpoint_id, changes)
        return self.ack(venue)

    @retry_on_conflict
    def switch_checkpoint(
        self,
        tenant_id: UUID,
        event_id: UUID,
        checkpoint_id: UUID,
        active: bool,
        expected_version: int | None = None,
    ) -> Ack[Venue]:
        """Activates or deactivates a checkpoint; one already so records nothing."""
        venue = self._venue(tenant_id, event_id, expected_version)
        if active:
            venue.activate_checkpoint(checkpoint_id)
        else:
            venue.deactivate_checkpoint(checkpoint_id)
        return self.ack(venue)

    @retry_on_conflict
    def remove_checkpoint(
        self,
        tenant_id: UUID,
        event_id: UUID,
        checkpoint_id: UUID,
        expected_version: int | None = None,
    ) -> Ack[Venue]:
        """Removes a checkpoint."""
        venue = self._venue(tenant_id, event_id, expected_version)
        venue.remove_checkpoint(checkpoint_id)
        return self.ack(venue)

    def _venue(
        self,
        tenant_id: UUID,
        event_id: UUID,
        expected_version: int | None,
        *,
        starting: bool = False,
    ) -> Venue:
        """The event's access plan to change, at the version the caller read (If-Match).

        Only a first zone starts a plan: every other command needs one to refer to.
        """
        try:
            venue = self.load(Venue, venue_id(tenant_id, event_id))
        except NotFound:
            if not starting:
                raise NotFound(f"the event {event_id} has no zones yet") from None
            if expected_version not in (None, 0):
                raise VersionMismatch(expected_version, 0) from None
            return Venue(tenant_id=tenant_id, event_id=event_id)
        check_version(venue, expected_version)
        return venue

    # End of venues.
