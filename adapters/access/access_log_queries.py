"""Reads of the access log for the HTTP API, always within the caller's tenant and event.

Scans are answered by scan time, oldest first, ties in the order they were recorded;
a cursor holds the last scan's time and log version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, literal, select, tuple_

from adapters.access.access_log_tables import access_log
from adapters.sql.paging import BadCursor, Page, decode_cursor, decode_time, encode_cursor
from adapters.sql.reader import Reader

l_ = access_log.c
# ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
_VERSION = re.compile(r"[0-9]{1,12}")
# Rows an export reads per statement: a page's worth, never the whole log at once.
EXPORT_CHUNK = 500


@dataclass(frozen=True)
class AccessLogFilter:
    """Which scans: every given condition holds (results: any of them)."""

    participant_id: UUID | None = None
    checkpoint_id: UUID | None = None
    zone_id: UUID | None = None
    device_id: str | None = None
    results: tuple[str, ...] = field(default=())
    scanned_from: datetime | None = None  # included
    scanned_to: datetime | None = None  # excluded


@dataclass(frozen=True)
class AccessLogRow:
    version: int
    event_id: UUID
    device_id: str
    nonce: str
    direction: str
    result: str
    reason: str
    participant_id: UUID | None
    credential_id: UUID | None
    checkpoint_id: UUID | None
    zone_id: UUID | None
    forced: bool
    overridden: str | None
    offline: bool
    scanned_at: datetime
    recorded_at: datetime
    annulled: bool
    annulled_at: datetime | None
    annulment_reason: str | None


_COLUMNS = [c for c in access_log.columns if c.name not in {"log_id", "tenant_id"}]


def _cursor(row: AccessLogRow) -> str:
    return encode_cursor(row.scanned_at.isoformat(), str(row.version))


def _after(cursor: str) -> tuple[datetime, int]:
    values = decode_cursor(cursor)
    if len(values) != 2 or not _VERSION.fullmatch(values[1]):
        raise BadCursor("the cursor is not valid")
    return decode_time(values[0]), int(values[1])


class AccessLogQueries:
    """Reads of an event's decided scans."""

    def __init__(self, reader: Engine | Reader) -> None:
        self.reader = Reader.of(reader)

    def _selection(
        self, tenant_id: UUID, event_id: UUID, where: AccessLogFilter, cursor: str | None
    ) -> Select[Any]:
        query = select(*_COLUMNS).where(l_.tenant_id == tenant_id, l_.event_id == event_id)
        for column, value in (
            (l_.participant_id, where.participant_id),
            (l_.checkpoint_id, where.checkpoint_id),
            (l_.zone_id, where.zone_id),
            (l_.device_id, where.device_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if where.results:
            query = query.where(l_.result.in_(where.results))
        if where.scanned_from is not None:
            query = query.where(l_.scanned_at >= where.scanned_from)
        if where.scanned_to is not None:
            query = query.where(l_.scanned_at < where.scanned_to)
        if cursor is not None:
            at, version = _after(cursor)
            after = tuple_(literal(at, l_.scanned_at.type), literal(version, l_.version.type))
            query = query.where(tuple_(l_.scanned_at, l_.version) > after)
        return query.order_by(l_.scanned_at, l_.version)

    def scans(
        self,
        tenant_id: UUID,
        event_id: UUID,
        where: AccessLogFilter,
        limit: int,
        cursor: str | None,
    ) -> Page[AccessLogRow]:
        """The event's scans matching the filter, by scan time, a page at a time."""
        query = self._selection(tenant_id, event_id, where, cursor).limit(limit + 1)
        rows = [AccessLogRow(**r._mapping) for r in self.reader.rows(query)]
        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], _cursor(rows[limit - 1]))

    def export(
        self, tenant_id: UUID, event_id: UUID, where: AccessLogFilter
    ) -> Iterator[AccessLogRow]:
        """Every scan matching the filter, by scan time, read a chunk at a time as it is used."""
        cursor = None
        while True:
            page = self.scans(tenant_id, event_id, where, EXPORT_CHUNK, cursor)
            yield from page.items
            if (cursor := page.next_cursor) is None:
                return
