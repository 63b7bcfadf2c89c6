"""Reads of the occupancy tables for the HTTP API, always within the caller's tenant and event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, literal, select

from adapters.access.occupancy_tables import (
    access_event_buckets,
    access_inside,
    access_occupancy_events,
    access_occupancy_zones,
    access_zone_buckets,
)
from adapters.sql.paging import (
    BadCursor,
    Page,
    decode_cursor,
    decode_time,
    encode_cursor,
    keyset,
    keyset_page,
)
from adapters.sql.reader import Reader

e_, z_, i_ = access_occupancy_events.c, access_occupancy_zones.c, access_inside.c


@dataclass(frozen=True)
class ZoneOccupancyRow:
    zone_id: UUID
    name: str | None
    parent_id: UUID | None
    capacity: int | None
    inside: int
    peak: int
    peak_at: datetime | None


@dataclass(frozen=True)
class OccupancyRow:
    event_id: UUID
    inside: int
    peak: int
    peak_at: datetime | None
    zones: list[ZoneOccupancyRow]


@dataclass(frozen=True)
class BucketRow:
    bucket_start: datetime
    entries: int
    exits: int
    denials: int
    annulled: int


@dataclass(frozen=True)
class InsideRow:
    participant_id: UUID
    credential_id: UUID | None
    since: datetime


class OccupancyQueries:
    """Reads of who is inside an event's zones, their peaks and quarter-hour counts."""

    def __init__(self, reader: Engine | Reader) -> None:
        self.reader = Reader.of(reader)

    def occupancy(self, tenant_id: UUID, event_id: UUID) -> OccupancyRow:
        """The event's occupancy and each zone's (none yet: everything at zero)."""
        event, zones = self.reader.snapshot(
            select(e_.inside, e_.peak, e_.peak_at).where(
                e_.tenant_id == tenant_id, e_.event_id == event_id
            ),
            select(z_.zone_id, z_.name, z_.parent_id, z_.capacity, z_.inside, z_.peak, z_.peak_at)
            .where(z_.tenant_id == tenant_id, z_.event_id == event_id, z_.removed.is_(False))
            .order_by(z_.zone_id),
        )
        totals: dict[str, Any] = dict(event[0]._mapping) if event else {}
        return OccupancyRow(
            event_id=event_id,
            inside=totals.get("inside", 0),
            peak=totals.get("peak", 0),
            peak_at=totals.get("peak_at"),
            zones=[ZoneOccupancyRow(**z._mapping) for z in zones],
        )

    def zone_known(self, tenant_id: UUID, event_id: UUID, zone_id: UUID) -> bool:
        """Whether the event has (or had people inside) this zone."""
        query = select(z_.zone_id).where(
            z_.tenant_id == tenant_id, z_.event_id == event_id, z_.zone_id == zone_id
        )
        return bool(self.reader.rows(query))

    def buckets(
        self,
        tenant_id: UUID,
        event_id: UUID,
        zone_id: UUID | None,
        span: tuple[datetime | None, datetime | None],
        limit: int,
        cursor: str | None,
    ) -> Page[BucketRow]:
        """Quarter hours with any count, oldest first: the event's, or one zone's."""
        table = access_event_buckets if zone_id is None else access_zone_buckets
        c = table.c
        time = c.bucket_start
        conditions = [c.tenant_id == tenant_id, c.event_id == event_id]
        if zone_id is not None:
            conditions.append(c.zone_id == zone_id)
        query = select(time, c.entries, c.exits, c.denials, c.annulled).where(*conditions)
        start, end = span
        if start is not None:
            query = query.where(time >= start)
        if end is not None:
            query = query.where(time < end)
        if cursor is not None:
            query = query.where(time > literal(_bucket_after(cursor), time.type))
        rows = [
            BucketRow(**r._mapping) for r in self.reader.rows(query.order_by(time).limit(limit + 1))
        ]
        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], encode_cursor(rows[limit - 1].bucket_start.isoformat()))

    def inside(
        self, tenant_id: UUID, event_id: UUID, zone_id: UUID, limit: int, cursor: str | None
    ) -> Page[InsideRow]:
        """Who is inside the zone now, longest there first, a page at a time."""
        query = select(i_.participant_id, i_.credential_id, i_.since).where(
            i_.tenant_id == tenant_id, i_.event_id == event_id, i_.zone_id == zone_id
        )
        query = keyset(query, i_.since, i_.participant_id, limit, cursor)
        rows = [InsideRow(**r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.since, r.participant_id))


def _bucket_after(cursor: str) -> datetime:
    values = decode_cursor(cursor)
    if len(values) != 1:
        raise BadCursor("the cursor is not valid")
    return decode_time(values[0])
