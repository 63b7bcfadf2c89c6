"""The occupancy projection's tables: zones with who is inside, peaks, and quarter-hour counts."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

_INSIDE = "How many people are inside now: the moves into it minus the moves out of it"
_PEAK = "The most people it has held at once"
_PEAK_AT = (
    "When it first held that many (UTC; the scan time, or an annulment's record time); "
    "null: never anyone"
)
_ENTRIES = (
    "Moves into it in this quarter hour: entries, and exits undone by an annulment "
    "(an entry into a zone inside it moves into this one too)"
)
_EXITS = "Moves out of it in this quarter hour: exits, check-outs and entries undone"
_DENIALS = "Scans refused in this quarter hour"
_ANNULLED = "Scans annulled in this quarter hour (counted at the annulment's time)"
_BUCKET = (
    "Start of the quarter hour (UTC, 15 minutes, included): scan time for decisions, "
    "record time for annulments"
)


def _counter(name: str, comment: str) -> Column[int]:
    return Column(name, Integer, nullable=False, comment=comment)


access_occupancy_sources = Table(
    "access_occupancy_sources",
    metadata,
    Column(
        "source_id",
        Uuid,
        primary_key=True,
        comment="A venue (access_venues) or gate log (access_gate_logs) id",
    ),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event it belongs to"),
    schema=VIEWS_SCHEMA,
    comment="Which event each venue and gate log belongs to (the occupancy projection's index)",
)

access_occupancy_events = Table(
    "access_occupancy_events",
    metadata,
    Column("tenant_id", Uuid, primary_key=True, comment="The tenant running the event"),
    Column("event_id", Uuid, primary_key=True, comment="The managed event"),
    _counter("inside", "How many people are inside at least one of its zones now"),
    _counter("peak", "The most people it has had inside at once"),
    Column("peak_at", UtcDateTime, nullable=True, comment=_PEAK_AT),
    schema=VIEWS_SCHEMA,
    comment="One row per event with zones or scans: its occupancy now and at its peak",
)

access_occupancy_zones = Table(
    "access_occupancy_zones",
    metadata,
    Column("zone_id", Uuid, primary_key=True, comment="The zone (access_zones)"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    Column(
        "name",
        String(200),
        nullable=True,
        comment="Display name; null: a zone scans named before it was defined",
    ),
    Column("parent_id", Uuid, nullable=True, comment="The zone it sits inside; null: none"),
    Column("capacity", Integer, nullable=True, comment="How many may be inside; null: no limit"),
    _counter("inside", _INSIDE),
    _counter("peak", _PEAK),
    Column("peak_at", UtcDateTime, nullable=True, comment=_PEAK_AT),
    Column("removed", Boolean, nullable=False, comment="Whether the zone was removed since"),
    Index("access_occupancy_zones_by_event", "tenant_id", "event_id", "zone_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per zone: how many are inside now, and its peak",
)

access_inside = Table(
    "access_inside",
    metadata,
    Column("zone_id", Uuid, primary_key=True, comment="The zone (access_occupancy_zones)"),
    Column("participant_id", Uuid, primary_key=True, comment="Who is inside it"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    Column("credential_id", Uuid, nullable=True, comment="The credential they came in with"),
    Column(
        "since",
        UtcDateTime,
        nullable=False,
        comment="When they came in (the scan time; an undone exit: the annulment's time; UTC)",
    ),
    Index("access_inside_by_zone", "tenant_id", "event_id", "zone_id", "since", "participant_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per participant inside a zone now (inside a zone nested in another: "
    "a row for each)",
)

access_present = Table(
    "access_present",
    metadata,
    Column("tenant_id", Uuid, primary_key=True, comment="The tenant running the event"),
    Column("event_id", Uuid, primary_key=True, comment="The managed event"),
    Column("participant_id", Uuid, primary_key=True, comment="Who is inside"),
    _counter("zones", "How many of the event's zones they are inside now (at least 1)"),
    Column("since", UtcDateTime, nullable=False, comment="When they came into the first (UTC)"),
    schema=VIEWS_SCHEMA,
    comment="One row per participant inside at least one zone of an event now",
)

access_occupancy_scans = Table(
    "access_occupancy_scans",
    metadata,
    Column("log_id", Uuid, primary_key=True, comment="The gate log (access_gate_logs)"),
    Column("device_id", Text, primary_key=True, comment="The scanning device"),
    Column("nonce", Text, primary_key=True, comment="The device's name for the scan"),
    Column("participant_id", Uuid, nullable=True, comment="Who was scanned; null: unknown"),
    Column("credential_id", Uuid, nullable=True, comment="The credential scanned; null: none"),
    Column("zone_id", Uuid, nullable=True, comment="The zone of the scan's checkpoint"),
    schema=VIEWS_SCHEMA,
    comment="Who and where each scan was, so an annulment (which names only the scan) is "
    "counted: the occupancy projection's index",
)

access_zone_buckets = Table(
    "access_zone_buckets",
    metadata,
    Column("zone_id", Uuid, primary_key=True, comment="The zone (access_occupancy_zones)"),
    Column("bucket_start", UtcDateTime, primary_key=True, comment=_BUCKET),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    _counter("entries", _ENTRIES),
    _counter("exits", _EXITS),
    _counter("denials", _DENIALS + " at the zone's checkpoints"),
    _counter("annulled", _ANNULLED + " that were scans at the zone's checkpoints"),
    Index("access_zone_buckets_by_event", "tenant_id", "event_id", "zone_id", "bucket_start"),
    schema=VIEWS_SCHEMA,
    comment="One row per zone and quarter hour with any move, denial or annulment",
)

access_event_buckets = Table(
    "access_event_buckets",
    metadata,
    Column("tenant_id", Uuid, primary_key=True, comment="The tenant running the event"),
    Column("event_id", Uuid, primary_key=True, comment="The managed event"),
    Column("bucket_start", UtcDateTime, primary_key=True, comment=_BUCKET),
    _counter("entries", "People who came into the event (into their first zone) in it"),
    _counter("exits", "People who left the event (out of their last zone) in it"),
    _counter("denials", _DENIALS),
    _counter("annulled", _ANNULLED),
    schema=VIEWS_SCHEMA,
    comment="One row per event and quarter hour with any arrival, departure, denial or annulment",
)
