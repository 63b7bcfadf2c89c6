"""The venue: one event's whole access plan, its zones and the checkpoints leading to them.

One aggregate per event, so whatever decides a scan reads one consistent plan, in
memory: which zone a checkpoint leads to, the zones that one sits in, whose category
each admits when, and how often one may come back. Its id is derived from the tenant
and the event, so the first configuration creates it and every later one finds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from domain.access.plan import (
    CHECKPOINTS_MAX,
    ZONES_MAX,
    Checkpoint,
    Direction,
    PlanFull,
    ReentryPolicy,
    UnknownCheckpoint,
    UnknownZone,
    UnknownZoneGiven,
    Zone,
    ZoneCodeTaken,
    ZoneInUse,
    ZoneNesting,
    ZoneRule,
    clean_capacity,
    clean_name,
    clean_rules,
    clean_zone_code,
    direction,
    reentry_policy,
)

# Fixed for good: every venue id ever handed out was derived with it.
VENUE_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:access:venue")


@lru_cache(maxsize=4096)
def venue_id(tenant_id: UUID, event_id: UUID) -> UUID:
    """The id of the event's venue (its access plan), whether or not it exists yet."""
    return uuid5(VENUE_NAMESPACE, f"{tenant_id}:{event_id}")


class Venue(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Created(Aggregate.Created):
        """An event's access plan was started, by its first configuration."""

        tenant_id: UUID
        event_id: UUID

    class ZoneAdded(Aggregate.Event):
        """A zone was added (inside `parent_id`, or inside no other when null)."""

        zone_id: UUID
        code: str
        name: str
        capacity: int | None
        parent_id: UUID | None
        reentry: str

    class ZoneChanged(Aggregate.Event):
        """A zone's name, parent or re-entry policy changed; all three hold the new values."""

        zone_id: UUID
        name: str
        parent_id: UUID | None
        reentry: str

    class ZoneCapacityChanged(Aggregate.Event):
        """A zone's capacity changed (null: no limit); it may now be below its occupancy."""

        zone_id: UUID
        capacity: int | None

    class ZoneRulesReplaced(Aggregate.Event):
        """Who may enter a zone when: `rules` replaces every rule it had (empty: open to all)."""

        zone_id: UUID
        rules: list[dict[str, Any]]  # each {category, windows: [{starts_at, ends_at}]}

    class ZoneRemoved(Aggregate.Event):
        """A zone was removed, with its rules."""

        zone_id: UUID

    class CheckpointAdded(Aggregate.Event):
        """A checkpoint (a gate) was added, active, leading into or out of `zone_id`."""

        checkpoint_id: UUID
        name: str
        direction: str
        zone_id: UUID

    class CheckpointChanged(Aggregate.Event):
        """A checkpoint's name, direction or zone changed; all three hold the new values."""

        checkpoint_id: UUID
        name: str
        direction: str
        zone_id: UUID

    class CheckpointActivated(Aggregate.Event):
        """A checkpoint lets people through again."""

        checkpoint_id: UUID

    class CheckpointDeactivated(Aggregate.Event):
        """A checkpoint stopped letting people through."""

        checkpoint_id: UUID

    class CheckpointRemoved(Aggregate.Event):
        """A checkpoint was removed."""

        checkpoint_id: UUID

    @event(Created)
    def __init__(self, tenant_id: UUID, event_id: UUID) -> None:
        self.tenant_id = tenant_id
        self.event_id = event_id
        self.zones: dict[UUID, Zone] = {}
        self.checkpoints: dict[UUID, Checkpoint] = {}

    @staticmethod
    def create_id(tenant_id: UUID, event_id: UUID) -> UUID:
        return venue_id(tenant_id, event_id)

    # Queries: what a scan decides with.

    def zone(self, zone_id: UUID) -> Zone:
        """The zone with this id; UnknownZone if the plan has none."""
        try:
            return self.zones[zone_id]
        except KeyError:
            raise UnknownZone(f"no zone with id {zone_id}") from None

    def checkpoint(self, checkpoint_id: UUID) -> Checkpoint:
        """The checkpoint with this id; UnknownCheckpoint if the plan has none."""
        try:
            return self.checkpoints[checkpoint_id]
        except KeyError:
            raise UnknownCheckpoint(f"no checkpoint with id {checkpoint_id}") from None

    def zone_chain(self, zone_id: UUID) -> list[Zone]:
        """The zone and the zones it sits in, innermost first."""
        chain = [self.zone(zone_id)]
        while (parent := chain[-1].parent_id) is not None:
            chain.append(self.zones[parent])
        return chain

    def may_enter(self, zone_id: UUID, category: str | None, at: datetime) -> bool:
        """Whether a participant of the category may be in the zone at that moment.

        Being in a zone is being in every zone it sits in, so each of them must admit.
        """
        return all(z.admits(category, at) for z in self.zone_chain(zone_id))

    def children(self, zone_id: UUID) -> list[Zone]:
        """The zones directly inside this one."""
        return [z for z in self.zones.values() if z.parent_id == zone_id]

    def checkpoints_of(self, zone_id: UUID) -> list[Checkpoint]:
        """The checkpoints leading into or out of this zone."""
        return [c for c in self.checkpoints.values() if c.zone_id == zone_id]

    # Commands

    def add_zone(
        self,
        code: str,
        name: str,
        capacity: int | None = None,
        parent_id: UUID | None = None,
        reentry: str = ReentryPolicy.REENTRY_AFTER_EXIT.value,
    ) -> UUID:
        """Adds a zone; its code is unique among the plan's zones. Returns its id."""
        if len(self.zones) >= ZONES_MAX:
            raise PlanFull(f"an event has at most {ZONES_MAX} zones")
        code = clean_zone_code(code)
        if any(z.code == code for z in self.zones.values()):
            raise ZoneCodeTaken(f"the event has a zone with the code '{code}' already")
        if parent_id is not None:
            self._parent(parent_id)
        zone_id = uuid4()
        self._zone_added(
            zone_id=zone_id,
            code=code,
            name=clean_name(name),
            capacity=clean_capacity(capacity),
            parent_id=parent_id,
            reentry=reentry_policy(reentry).value,
        )
        return zone_id

    @event(ZoneAdded)
    def _zone_added(
        self,
        zone_id: UUID,
        code: str,
        name: str,
        capacity: int | None,
        parent_id: UUID | None,
        reentry: str,
    ) -> None:
        self.zones[zone_id] = Zone(zone_id, code, name, capacity, parent_id, ReentryPolicy(reentry))

    def change_zone(self, zone_id: UUID, changes: Mapping[str, Any]) -> None:
        """Name, parent and re-entry policy; a parent never lies inside the zone itself."""
        zone = self.zone(zone_id)
        name = clean_name(changes["name"]) if "name" in changes else zone.name
        parent_id = changes.get("parent_id", zone.parent_id)
        if parent_id is not None and parent_id != zone.parent_id:
            self._check_nesting(zone_id, self._parent(parent_id))
        reentry = reentry_policy(changes["reentry"]) if "reentry" in changes else zone.reentry
        if (name, parent_id, reentry) != (zone.name, zone.parent_id, zone.reentry):
            self._zone_changed(
                zone_id=zone_id, name=name, parent_id=parent_id, reentry=reentry.value
            )

    @event(ZoneChanged)
    def _zone_changed(self, zone_id: UUID, name: str, parent_id: UUID | None, reentry: str) -> None:
        zone = self.zones[zone_id]
        self.zones[zone_id] = replace(
            zone, name=name, parent_id=parent_id, reentry=ReentryPolicy(reentry)
        )

    def change_zone_capacity(self, zone_id: UUID, capacity: int | None) -> None:
        """Sets the limit; one below the zone's occupancy only stops new entries."""
        zone = self.zone(zone_id)
        capacity = clean_capacity(capacity)
        if capacity != zone.capacity:
            self._zone_capacity_changed(zone_id=zone_id, capacity=capacity)

    @event(ZoneCapacityChanged)
    def _zone_capacity_changed(self, zone_id: UUID, capacity: int | None) -> None:
        self.zones[zone_id] = replace(self.zones[zone_id], capacity=capacity)

    def replace_zone_rules(
        self, zone_id: UUID, rules: Iterable[Mapping[str, Any]], categories: Iterable[str]
    ) -> None:
        """Replaces who may enter the zone when; only the event's categories can be named."""
        zone = self.zone(zone_id)
        cleaned = tuple(clean_rules(rules, categories))
        if cleaned != zone.rules:
            self._zone_rules_replaced(zone_id=zone_id, rules=[r.to_record() for r in cleaned])

    @event(ZoneRulesReplaced)
    def _zone_rules_replaced(self, zone_id: UUID, rules: list[dict[str, Any]]) -> None:
        rules_of = tuple(ZoneRule.from_record(r) for r in rules)
        self.zones[zone_id] = replace(self.zones[zone_id], rules=rules_of)

    def remove_zone(self, zone_id: UUID) -> None:
        """Removes a zone that no zone sits in and no checkpoint leads to."""
        self.zone(zone_id)
        if self.children(zone_id):
            raise ZoneInUse("zones sit inside this zone: move or remove them first")
        if self.checkpoints_of(zone_id):
            raise ZoneInUse("checkpoints lead to this zone: move or remove them first")
        self._zone_removed(zone_id=zone_id)

    @event(ZoneRemoved)
    def _zone_removed(self, zone_id: UUID) -> None:
        del self.zones[zone_id]

    def add_checkpoint(self, name: str, direction_: str, zone_id: UUID) -> UUID:
        """Adds an active checkpoint leading into or out of an existing zone. Returns its id."""
        if len(self.checkpoints) >= CHECKPOINTS_MAX:
            raise PlanFull(f"an event has at most {CHECKPOINTS_MAX} checkpoints")
        name, way = clean_name(name), direction(direction_)
        self._zone_of_checkpoint(zone_id)
        checkpoint_id = uuid4()
        self._checkpoint_added(
            checkpoint_id=checkpoint_id, name=name, direction=way.value, zone_id=zone_id
        )
        return checkpoint_id

    @event(CheckpointAdded)
    def _checkpoint_added(
        self, checkpoint_id: UUID, name: str, direction: str, zone_id: UUID
    ) -> None:
        self.checkpoints[checkpoint_id] = Checkpoint(
            checkpoint_id, name, Direction(direction), zone_id
        )

    def change_checkpoint(self, checkpoint_id: UUID, changes: Mapping[str, Any]) -> None:
        """Name, direction and the zone it leads to."""
        checkpoint = self.checkpoint(checkpoint_id)
        name = clean_name(changes["name"]) if "name" in changes else checkpoint.name
        way = direction(changes["direction"]) if "direction" in changes else checkpoint.direction
        zone_id = changes.get("zone_id", checkpoint.zone_id)
        if zone_id != checkpoint.zone_id:
            self._zone_of_checkpoint(zone_id)
        if (name, way, zone_id) != (checkpoint.name, checkpoint.direction, checkpoint.zone_id):
            self._checkpoint_changed(
                checkpoint_id=checkpoint_id, name=name, direction=way.value, zone_id=zone_id
            )

    @event(CheckpointChanged)
    def _checkpoint_changed(
        self, checkpoint_id: UUID, name: str, direction: str, zone_id: UUID
    ) -> None:
        self.checkpoints[checkpoint_id] = replace(
            self.checkpoints[checkpoint_id],
            name=name,
            direction=Direction(direction),
            zone_id=zone_id,
        )

    def activate_checkpoint(self, checkpoint_id: UUID) -> None:
        """Lets people through; an active checkpoint stays as it is."""
        if not self.checkpoint(checkpoint_id).active:
            self._checkpoint_activated(checkpoint_id=checkpoint_id)

    @event(CheckpointActivated)
    def _checkpoint_activated(self, checkpoint_id: UUID) -> None:
        self.checkpoints[checkpoint_id] = replace(self.checkpoints[checkpoint_id], active=True)

    def deactivate_checkpoint(self, checkpoint_id: UUID) -> None:
        """Stops letting people through; an inactive checkpoint stays as it is."""
        if self.checkpoint(checkpoint_id).active:
            self._checkpoint_deactivated(checkpoint_id=checkpoint_id)

    @event(CheckpointDeactivated)
    def _checkpoint_deactivated(self, checkpoint_id: UUID) -> None:
        self.checkpoints[checkpoint_id] = replace(self.checkpoints[checkpoint_id], active=False)

    def remove_checkpoint(self, checkpoint_id: UUID) -> None:
        self.checkpoint(checkpoint_id)
        self._checkpoint_removed(checkpoint_id=checkpoint_id)

    @event(CheckpointRemoved)
    def _checkpoint_removed(self, checkpoint_id: UUID) -> None:
        del self.checkpoints[checkpoint_id]

    # Guards

    def _parent(self, parent_id: UUID) -> Zone:
        if parent_id not in self.zones:
            raise UnknownZoneGiven("parent_id", f"the event has no zone with id {parent_id}")
        return self.zones[parent_id]

    def _check_nesting(self, zone_id: UUID, parent: Zone) -> None:
        if any(z.id == zone_id for z in self.zone_chain(parent.id)):
            raise ZoneNesting("parent_id", "a zone cannot sit inside itself or its own zones")

    def _zone_of_checkpoint(self, zone_id: UUID) -> Zone:
        if zone_id not in self.zones:
            raise UnknownZoneGiven("zone_id", f"the event has no zone with id {zone_id}")
        return self.zones[zone_id]
