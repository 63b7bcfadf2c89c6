"""The venues projection's tables: each event's access plan, zones, zone rules, checkpoints."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

access_venues = Table(
    "access_venues",
    metadata,
    Column("venue_id", Uuid, primary_key=True, comment="The venue (one event's access plan) id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser) running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event (conference) it is for"),
    Column(
        "version",
        Integer,
        nullable=False,
        comment="Aggregate version (the ETag of the event's zones and checkpoints)",
    ),
    Column("created_at", UtcDateTime, nullable=False, comment="Its first configuration (UTC)"),
    Column("updated_at", UtcDateTime, nullable=False, comment="Its last change (UTC)"),
    Index("access_venues_by_event", "tenant_id", "event_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per event whose zones or checkpoints were ever configured",
)

access_zones = Table(
    "access_zones",
    metadata,
    Column("zone_id", Uuid, primary_key=True, comment="The zone id"),
    Column("venue_id", Uuid, nullable=False, comment="The venue (access_venues) it belongs to"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    Column("code", String(40), nullable=False, comment="Short identifier, unique per event"),
    Column("name", String(200), nullable=False, comment="Display name"),
    Column(
        "capacity",
        Integer,
        nullable=True,
        comment="How many people may be inside at once; null: no limit",
    ),
    Column(
        "parent_id",
        Uuid,
        nullable=True,
        comment="The zone this one sits inside (people in it count toward both); "
        "null: inside no other",
    ),
    Column(
        "reentry",
        String(20),
        nullable=False,
        comment="SINGLE_ENTRY (once only), REENTRY_AFTER_EXIT (again after leaving) or UNLIMITED",
    ),
    Column(
        "rule_rows",
        Integer,
        nullable=False,
        comment="Rows it has in access_zone_rules; 0: open to every approved participant "
        "at any time",
    ),
    Column("created_at", UtcDateTime, nullable=False, comment="When it was added (UTC)"),
    Column("updated_at", UtcDateTime, nullable=False, comment="Its last change (UTC)"),
    Index("access_zones_by_event", "tenant_id", "event_id", "created_at", "zone_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per zone of an event (an arena, a VIP area inside it)",
)

access_zone_rules = Table(
    "access_zone_rules",
    metadata,
    Column("zone_id", Uuid, primary_key=True, comment="The zone (access_zones)"),
    Column(
        "row_no",
        Integer,
        primary_key=True,
        autoincrement=False,
        comment="Order within the zone's rules, from 0",
    ),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    Column("category", String(40), nullable=False, comment="A participant category let in"),
    Column(
        "starts_at",
        UtcDateTime,
        nullable=True,
        comment="Start of a window the category may enter in (UTC, included); "
        "null with ends_at: at any time",
    ),
    Column(
        "ends_at",
        UtcDateTime,
        nullable=True,
        comment="End of that window (UTC, excluded); null with starts_at: at any time",
    ),
    Index("access_zone_rules_by_event", "tenant_id", "event_id"),
    schema=VIEWS_SCHEMA,
    comment="Who may enter a zone when: one row per category and time window; a zone with "
    "rows admits only the categories named, in their windows",
)

access_checkpoints = Table(
    "access_checkpoints",
    metadata,
    Column("checkpoint_id", Uuid, primary_key=True, comment="The checkpoint (gate) id"),
    Column("venue_id", Uuid, nullable=False, comment="The venue (access_venues) it belongs to"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    Column("name", String(200), nullable=False, comment="Display name"),
    Column(
        "direction",
        String(10),
        nullable=False,
        comment="ENTRY (into its zone), EXIT (out of it) or BOTH",
    ),
    Column("zone_id", Uuid, nullable=False, comment="The zone it leads into or out of"),
    Column("active", Boolean, nullable=False, comment="Whether it lets people through now"),
    Column("created_at", UtcDateTime, nullable=False, comment="When it was added (UTC)"),
    Column("updated_at", UtcDateTime, nullable=False, comment="Its last change (UTC)"),
    Index("access_checkpoints_by_event", "tenant_id", "event_id", "created_at", "checkpoint_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per checkpoint (gate, door, turnstile) of an event",
)
