"""Reads of the auditor's history: filtered, merged across logs, cursor-paged."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Engine,
    Row,
    Select,
    func,
    select,
)

from adapters.audit.tables import domain_event_history
from adapters.sql.paging import BadCursor, Page, decode_cursor, encode_cursor
from adapters.sql.reader import Reader
from domain.shared.topics import known_class, topics_of
from projections.audit.history import HistoryEntry

_h = domain_event_history.c


@dataclass(frozen=True)
class HistoryFilter:
    """Which domain events of a history to see; None matches anything."""

    aggregate_id: UUID | None = None
    event_type: str | None = None  # "ApiKey.Rotated", or a full topic
    actor: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AggregateIndex:
    """Where one aggregate's domain events are, as far as the history has seen."""

    aggregate_id: UUID
    application: str
    aggregate_type: str
    tenant_id: UUID | None
    last_version: int


class HistoryQueries:
    """Reads of the history table. tenant_id None reads every tenant (the operator's CLI)."""

    def __init__(self, engine: Engine | Reader, applications: Iterable[str]) -> None:
        self.reader = Reader.of(engine)
        self.applications = tuple(applications)

    def page(
        self, tenant_id: UUID | None, where: HistoryFilter, limit: int, cursor: str | None
    ) -> Page[HistoryEntry]:
        """The matching domain events, a page at a time, merged across applications by time.

        Each application's domain events come in the order its log recorded them,
        and the cursor holds how far each log has been read. A domain event recorded
        after a page was read, even one stamped with an earlier time by a slower
        writer, is therefore on a later page, never skipped.
        """
        if limit < 1:
            raise ValueError("a page holds at least one item")
        after = _history_cursor(cursor) if cursor is not None else {}
        streams: dict[str, list[HistoryEntry]] = {}
        for application in self.applications:
            start = after.get(application)
            if start is None:
                start = self._first_position(tenant_id, application, where.since)
            query = _filtered(tenant_id, where).where(_h.application == application)
            streams[application] = self._read(_after_position(query, start).limit(limit + 1))
        taken = list(heapq.merge(*streams.values(), key=_time_order))[:limit]
        reached = dict(after)
        for entry in taken:
            reached[entry.application] = entry.position
        more = any(
            rows and rows[-1].position > reached.get(application, -1)
            for application, rows in streams.items()
        )
        next_cursor = _encode_history_cursor(reached) if more else None
        return Page(taken, next_cursor)

    def _first_position(
        self, tenant_id: UUID | None, application: str, since: datetime | None
    ) -> int:
        """Where a first page may start reading a log: just before the first match in time."""
        if since is None:
            return 0
        query = select(func.min(_h.position)).where(
            _h.application == application, _h.occurred_at >= since
        )
        if tenant_id is not None:
            query = query.where(_h.tenant_id == tenant_id)
        first = self.reader.rows(query)[0][0]
        return 0 if first is None else int(first) - 1

    def chunks(
        self, tenant_id: UUID | None, where: HistoryFilter, size: int = 500
    ) -> Iterator[list[HistoryEntry]]:
        """Every matching domain event, in the page order, a bounded chunk at a time."""
        cursor = None
        while True:
            page = self.page(tenant_id, where, size, cursor)
            if page.items:
                yield page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def aggregate(self, tenant_id: UUID | None, aggregate_id: UUID) -> AggregateIndex | None:
        """The aggregate's application, type and last version; None if unknown to the tenant."""
        query = (
            select(_h.application, _h.aggregate_type, _h.tenant_id, func.max(_h.version))
            .where(_h.aggregate_id == aggregate_id)
            .group_by(_h.application, _h.aggregate_type, _h.tenant_id)
            .order_by(_h.application)
        )
        if tenant_id is not None:
            query = query.where(_h.tenant_id == tenant_id)
        rows = self.reader.rows(query.limit(1))
        if not rows:
            return None
        application, aggregate_type, owner, last_version = tuple(rows[0])
        return AggregateIndex(aggregate_id, application, aggregate_type, owner, int(last_version))

    def aggregate_page(
        self, found: AggregateIndex, limit: int, cursor: str | None
    ) -> Page[HistoryEntry]:
        """One aggregate's domain events in version order, a page at a time."""
        if limit < 1:
            raise ValueError("a page holds at least one item")
        query = select(domain_event_history).where(
            _h.application == found.application, _h.aggregate_id == found.aggregate_id
        )
        if cursor is not None:
            query = query.where(_h.version > _version_cursor(cursor))
        rows = self._read(query.order_by(_h.version).limit(limit + 1))
        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], encode_cursor(str(rows[limit - 1].version)))

    def entry_at(self, found: AggregateIndex, at: datetime) -> HistoryEntry | None:
        """The aggregate's last domain event at or before a moment; None if it came later."""
        query = (
            select(domain_event_history)
            .where(
                _h.application == found.application,
                _h.aggregate_id == found.aggregate_id,
                _h.occurred_at <= at,
            )
            .order_by(_h.version.desc())
            .limit(1)
        )
        rows = self._read(query)
        return rows[0] if rows else None

    def _read(self, query: Select[tuple[object, ...]]) -> list[HistoryEntry]:
        return [_entry(r) for r in self.reader.rows(query)]


def _filtered(tenant_id: UUID | None, where: HistoryFilter) -> Select[tuple[object, ...]]:
    query = select(domain_event_history)
    if tenant_id is not None:
        query = query.where(_h.tenant_id == tenant_id)
    if where.aggregate_id is not None:
        query = query.where(_h.aggregate_id == where.aggregate_id)
    if where.event_type is not None and ":" in where.event_type:
        # A full topic ("domain.platform.apikey:ApiKey.Rotated") names a class: match it
        # under every topic it was stored under, its earlier ones included.
        query = query.where(_h.topic.in_(_topics_of(where.event_type)))
    elif where.event_type is not None:
        query = query.where(_h.event_type == where.event_type)
    if where.actor is not None:
        query = query.where(_h.actor == where.actor)
    if where.since is not None:
        query = query.where(_h.occurred_at >= where.since)
    if where.until is not None:
        query = query.where(_h.occurred_at < where.until)
    return query


def _topics_of(topic: str) -> list[str]:
    """Every topic the class named by this one was stored under (just it, if it names none)."""
    cls = known_class(topic)
    return [topic] if cls is None else topics_of(cls)


# What cursors we hand out hold; anything else (NUL, huge numbers) never reaches SQL.
_APPLICATION = re.compile(r"[a-z_]{1,100}")


_NUMBER = re.compile(r"[0-9]{1,18}")


def _history_cursor(cursor: str) -> dict[str, int]:
    """How far each application's log was read, from a cursor we handed out."""
    values = decode_cursor(cursor)
    if not values or len(values) % 2 or len(values) > 200:
        raise BadCursor("the cursor is not valid")
    reached: dict[str, int] = {}
    for application, position in zip(values[::2], values[1::2], strict=True):
        if not _APPLICATION.fullmatch(application) or not _NUMBER.fullmatch(position):
            raise BadCursor("the cursor is not valid")
        reached[application] = int(position)
    return reached


def _encode_history_cursor(reached: dict[str, int]) -> str:
    return encode_cursor(*(v for a in sorted(reached) for v in (a, str(reached[a]))))


def _after_position(query: Select[tuple[object, ...]], position: int) -> Select[tuple[object, ...]]:
    return query.where(_h.position > position).order_by(_h.position)


def _time_order(entry: HistoryEntry) -> tuple[datetime, str, int]:
    return (entry.occurred_at, entry.application, entry.position)


def _version_cursor(cursor: str) -> int:
    values = decode_cursor(cursor)
    if len(values) != 1 or not _NUMBER.fullmatch(values[0]) or int(values[0]) > 2**31 - 1:
        raise BadCursor("the cursor is not valid")
    return int(values[0])


def _entry(row: Row[tuple[object, ...]]) -> HistoryEntry:
    return HistoryEntry(**row._mapping)
