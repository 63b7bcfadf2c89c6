"""The access API's answers about zones and checkpoints, from the venue as a command leaves it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.access.venue import Venue
from entrypoints.http.access.venue_schemas import (
    CheckpointPageSchema,
    CheckpointSchema,
    RemovedSchema,
    ZonePageSchema,
    ZoneRulesSchema,
    ZoneSchema,
)

# Built once: a marshmallow schema is costly to build and safe to share.
ZONE_SCHEMA = ZoneSchema()
ZONE_PAGE_SCHEMA = ZonePageSchema()
ZONE_RULES_SCHEMA = ZoneRulesSchema()
CHECKPOINT_SCHEMA = CheckpointSchema()
CHECKPOINT_PAGE_SCHEMA = CheckpointPageSchema()
REMOVED_SCHEMA = RemovedSchema()


@dataclass(frozen=True)
class ManagedEvents:
    """What the access API asks of the events it configures; the wiring answers it.

    `categories` reads the event itself, for commands: its category codes, or NotFound
    when the tenant has no such event. `listed` asks the events' view, for queries.
    """

    categories: Callable[[UUID, UUID], frozenset[str]]
    listed: Callable[[UUID, UUID], bool]


def zone_document(venue: Venue, zone_id: UUID) -> dict[str, Any]:
    zone = venue.zone(zone_id)
    document: dict[str, Any] = ZONE_SCHEMA.dump(
        {
            "id": zone.id,
            "event_id": venue.event_id,
            "code": zone.code,
            "name": zone.name,
            "capacity": zone.capacity,
            "parent_id": zone.parent_id,
            "reentry": zone.reentry.value,
            "restricted": bool(zone.rules),
            "version": venue.version,
        }
    )
    return document


def zone_rules_document(venue: Venue, zone_id: UUID) -> dict[str, Any]:
    zone = venue.zone(zone_id)
    document: dict[str, Any] = ZONE_RULES_SCHEMA.dump(
        {
            "zone_id": zone.id,
            "event_id": venue.event_id,
            "rules": [r.to_record() for r in zone.rules],
            "version": venue.version,
        }
    )
    return document


def checkpoint_document(venue: Venue, checkpoint_id: UUID) -> dict[str, Any]:
    checkpoint = venue.checkpoint(checkpoint_id)
    document: dict[str, Any] = CHECKPOINT_SCHEMA.dump(
        {
            "id": checkpoint.id,
            "event_id": venue.event_id,
            "name": checkpoint.name,
            "direction": checkpoint.direction.value,
            "zone_id": checkpoint.zone_id,
            "active": checkpoint.active,
            "version": venue.version,
        }
    )
    return document


def removed_document(removed_id: UUID, venue: Venue) -> dict[str, Any]:
    document: dict[str, Any] = REMOVED_SCHEMA.dump({"id": removed_id, "version": venue.version})
    return document
