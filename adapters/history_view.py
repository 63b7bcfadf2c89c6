"""The auditor's history as a table: one row per domain event, indexed, without payloads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    Row,
    Select,
    String,
    Table,
    Uuid,
    func,
    literal,
    select,
    tuple_,
)

from adapters.database import VIEWS_SCHEMA, Reader, metadata
from adapters.pagination import BadCursor, Page, decode_cursor, decode_time, encode_cursor
from adapters.sql_view import SqlView
from adapters.types import UtcDateTime
from projections.history import HistoryEntry

domain_event_history = Table(
    "domain_event_history",
    metadata,
    Column(
        "application",
        String(100),
        primary_key=True,
        comment="The application (bounded context) whose event store holds the domain event",
    ),
    Column(
        "position",
        BigInteger,
        primary_key=True,
        autoincrement=False,
        comment="The domain event's notification id in its application's log",
    ),
    Column(
        "tenant_id",
        Uuid,
        nullable=True,
        comment="The tenant the domain event belongs to; null for platform-wide records",
    ),
    Column("aggregate_id", Uuid, nullable=False, comment="The aggregate the domain event changed"),
    Column("aggregate_type", String, nullable=False, comment="Its class name, e.g. ApiKey"),
    Column(
        "version",
        Integer,
        nullable=False,
        comment="The aggregate's version after this domain event (1 = created)",
    ),
    Column(
        "event_type",
        String,
        nullable=False,
        comment="The domain event class within its aggregate, e.g. ApiKey.Rotated",
    ),
    Column(
        "topic",
        String,
        nullable=False,
        comment="The domain event class's full topic, e.g. domain.apikey:ApiKey.Rotated",
    ),
    Column(
        "occurred_at",
        UtcDateTime,
        nullable=False,
        comment="When the domain event happened (UTC)",
    ),
    Column(
        "actor",
        String,
        nullable=True,
        comment="Who caused it: api-key:<key id>, cli:<operator> or system",
    ),
    Column(
        "correlation_id",
        String,
        nullable=True,
        comment="Ties together everything one request or job caused (X-Correlation-Id)",
    ),
    Column(
        "causation_id",
        String,
        nullable=True,
        comment="The request that caused it (its X-Request-Id); null for system work",
    ),
    Index("domain_event_history_by_tenant", "tenant_id", "occurred_at", "application", "position"),
    Index("domain_event_history_by_aggregate", "aggregate_id", "version"),
    Index(
        "domain_event_history_by_actor",
        "tenant_id",
        "actor",
        "occurred_at",
        "application",
        "position",
    ),
    Index(
        "domain_event_history_by_type",
        "tenant_id",
        "event_type",
        "occurred_at",
        "application",
        "position",
    ),
    comment="One row per domain event of every application; payloads stay in the event stores",
    schema=VIEWS_SCHEMA,
)

_h = domain_event_history.c


class SqlHistoryView(SqlView):
    """The history projector's view change, inside the runner's transaction."""

    tables = (domain_event_history,)

    def recorded(self, entry: HistoryEntry) -> None:
        self.rows.insert(domain_event_history, asdict(entry))


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

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def page(
        self, tenant_id: UUID | None, where: HistoryFilter, limit: int, cursor: str | None
    ) -> Page[HistoryEntry]:
        """The matching domain events, oldest first (then by application and position)."""
        if limit < 1:
            raise ValueError("a page holds at least one item")
        query = _filtered(tenant_id, where)
        if cursor is not None:
            after_time, application, position = _history_cursor(cursor)
            key = tuple_(
                literal(after_time, _h.occurred_at.type),
                literal(application, _h.application.type),
                literal(position, _h.position.type),
            )
            query = query.where(tuple_(_h.occurred_at, _h.application, _h.position) > key)
        query = query.order_by(_h.occurred_at, _h.application, _h.position).limit(limit + 1)
        rows = self._read(query)
        if len(rows) <= limit:
            return Page(rows, None)
        last = rows[limit - 1]
        next_cursor = encode_cursor(
            last.occurred_at.isoformat(), last.application, str(last.position)
        )
        return Page(rows[:limit], next_cursor)

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
        with self.reader.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        application, aggregate_type, owner, last_version = row
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
        with self.reader.connect() as conn:
            return [_entry(r) for r in conn.execute(query)]


def _filtered(tenant_id: UUID | None, where: HistoryFilter) -> Select[tuple[object, ...]]:
    query = select(domain_event_history)
    if tenant_id is not None:
        query = query.where(_h.tenant_id == tenant_id)
    if where.aggregate_id is not None:
        query = query.where(_h.aggregate_id == where.aggregate_id)
    if where.event_type is not None:
        # A full topic names its module ("domain.apikey:ApiKey.Rotated"); a type does not.
        column = _h.topic if ":" in where.event_type else _h.event_type
        query = query.where(column == where.event_type)
    if where.actor is not None:
        query = query.where(_h.actor == where.actor)
    if where.since is not None:
        query = query.where(_h.occurred_at >= where.since)
    if where.until is not None:
        query = query.where(_h.occurred_at < where.until)
    return query


# What cursors we hand out hold; anything else (NUL, huge numbers) never reaches SQL.
_APPLICATION = re.compile(r"[a-z_]{1,100}")
_NUMBER = re.compile(r"[0-9]{1,18}")


def _history_cursor(cursor: str) -> tuple[datetime, str, int]:
    values = decode_cursor(cursor)
    if (
        len(values) != 3
        or not _APPLICATION.fullmatch(values[1])
        or not _NUMBER.fullmatch(values[2])
    ):
        raise BadCursor("the cursor is not valid")
    occurred_at, application, position = values
    return decode_time(occurred_at), application, int(position)


def _version_cursor(cursor: str) -> int:
    values = decode_cursor(cursor)
    if len(values) != 1 or not _NUMBER.fullmatch(values[0]) or int(values[0]) > 2**31 - 1:
        raise BadCursor("the cursor is not valid")
    return int(values[0])


def _entry(row: Row[tuple[object, ...]]) -> HistoryEntry:
    return HistoryEntry(**row._mapping)
