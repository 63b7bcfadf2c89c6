"""Reads of the venues tables for the HTTP API, always within the caller's tenant and event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, RowMapping, Select, select

from adapters.access.venue_tables import (
    access_checkpoints,
    access_venues,
    access_zone_rules,
    access_zones,
)
from adapters.sql.paging import Page, keyset, keyset_page
from adapters.sql.reader import Reader

z_, c_, r_, v_ = access_zones.c, access_checkpoints.c, access_zone_rules.c, access_venues.c


@dataclass(frozen=True)
class ZoneRow:
    id: UUID
    event_id: UUID
    code: str
    name: str
    capacity: int | None
    parent_id: UUID | None
    reentry: str
    restricted: bool  # it has rules: only the categories they name get in
    version: int  # the venue's
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ZoneRulesRow:
    zone_id: UUID
    event_id: UUID
    rules: list[dict[str, Any]]  # [{category, windows: [{starts_at, ends_at}]}]
    version: int  # the venue's


@dataclass(frozen=True)
class CheckpointRow:
    id: UUID
    event_id: UUID
    name: str
    direction: str
    zone_id: UUID
    active: bool
    version: int  # the venue's
    created_at: datetime
    updated_at: datetime


@dataclass
class _Rule:
    category: str
    windows: list[dict[str, datetime]] = field(default_factory=list)


_ZONE_COLUMNS = (
    z_.zone_id,
    z_.event_id,
    z_.code,
    z_.name,
    z_.capacity,
    z_.parent_id,
    z_.reentry,
    z_.rule_rows,
    z_.created_at,
    z_.updated_at,
    v_.version,
)
_CHECKPOINT_COLUMNS = (
    c_.checkpoint_id,
    c_.event_id,
    c_.name,
    c_.direction,
    c_.zone_id,
    c_.active,
    c_.created_at,
    c_.updated_at,
    v_.version,
)


class VenueQueries:
    """Reads of an event's zones, their rules, and its checkpoints."""

    def __init__(self, reader: Engine | Reader) -> None:
        self.reader = Reader.of(reader)

    def _zones(self, tenant_id: UUID, event_id: UUID) -> Select[Any]:
        return (
            select(*_ZONE_COLUMNS)
            .select_from(access_zones.join(access_venues, v_.venue_id == z_.venue_id))
            .where(z_.tenant_id == tenant_id, z_.event_id == event_id)
        )

    def _checkpoints(self, tenant_id: UUID, event_id: UUID) -> Select[Any]:
        return (
            select(*_CHECKPOINT_COLUMNS)
            .select_from(access_checkpoints.join(access_venues, v_.venue_id == c_.venue_id))
            .where(c_.tenant_id == tenant_id, c_.event_id == event_id)
        )

    def zones(
        self, tenant_id: UUID, event_id: UUID, limit: int, cursor: str | None
    ) -> Page[ZoneRow]:
        """The event's zones, oldest first, a page at a time."""
        query = keyset(self._zones(tenant_id, event_id), z_.created_at, z_.zone_id, limit, cursor)
        rows = [_zone_row(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.created_at, r.id))

    def zone(self, tenant_id: UUID, event_id: UUID, zone_id: UUID) -> ZoneRow | None:
        """One zone of the event."""
        rows = self.reader.rows(self._zones(tenant_id, event_id).where(z_.zone_id == zone_id))
        return _zone_row(rows[0]._mapping) if rows else None

    def zone_rules(self, tenant_id: UUID, event_id: UUID, zone_id: UUID) -> ZoneRulesRow | None:
        """Who may enter one zone of the event, and when."""
        zone, rules = self.reader.snapshot(
            self._zones(tenant_id, event_id).where(z_.zone_id == zone_id),
            select(r_.category, r_.starts_at, r_.ends_at)
            .where(r_.tenant_id == tenant_id, r_.zone_id == zone_id)
            .order_by(r_.row_no),
        )
        if not zone:
            return None
        grouped: list[_Rule] = []
        for row in rules:
            if not grouped or grouped[-1].category != row.category:
                grouped.append(_Rule(row.category))
            if row.starts_at is not None:
                grouped[-1].windows.append({"starts_at": row.starts_at, "ends_at": row.ends_at})
        return ZoneRulesRow(
            zone_id=zone_id,
            event_id=event_id,
            rules=[{"category": r.category, "windows": r.windows} for r in grouped],
            version=zone[0].version,
        )

    def checkpoints(
        self, tenant_id: UUID, event_id: UUID, limit: int, cursor: str | None
    ) -> Page[CheckpointRow]:
        """The event's checkpoints, oldest first, a page at a time."""
        query = self._checkpoints(tenant_id, event_id)
        query = keyset(query, c_.created_at, c_.checkpoint_id, limit, cursor)
        rows = [_checkpoint_row(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.created_at, r.id))

    def checkpoint(
        self, tenant_id: UUID, event_id: UUID, checkpoint_id: UUID
    ) -> CheckpointRow | None:
        """One checkpoint of the event."""
        query = self._checkpoints(tenant_id, event_id).where(c_.checkpoint_id == checkpoint_id)
        rows = self.reader.rows(query)
        return _checkpoint_row(rows[0]._mapping) if rows else None


def _zone_row(mapping: RowMapping) -> ZoneRow:
    values = dict(mapping)
    values["restricted"] = values.pop("rule_rows") > 0
    return ZoneRow(id=values.pop("zone_id"), **values)


def _checkpoint_row(mapping: RowMapping) -> CheckpointRow:
    values = dict(mapping)
    return CheckpointRow(id=values.pop("checkpoint_id"), **values)
