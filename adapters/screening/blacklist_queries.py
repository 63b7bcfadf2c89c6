"""Reads of blacklist entries for the HTTP API, always within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Engine, RowMapping, and_, func, or_, select

from adapters.screening.blacklist_tables import screening_blacklist_entries
from adapters.sql.paging import Page, keyset, keyset_page
from adapters.sql.reader import Reader

b_ = screening_blacklist_entries.c


@dataclass(frozen=True)
class EntryRow:
    id: UUID
    tenant_id: UUID
    event_id: UUID | None
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    document_number: str | None
    email: str | None
    reason: str
    expires_at: datetime | None
    added_by: str | None
    added_at: datetime
    removed: bool
    removed_at: datetime | None
    removed_by: str | None
    removed_reason: str | None
    expiry_recorded_at: datetime | None
    version: int

    def status(self, at: datetime) -> str:
        """removed, expired, or active at that moment."""
        if self.removed:
            return "removed"
        if self.expires_at is not None and self.expires_at <= at:
            return "expired"
        return "active"


@dataclass(frozen=True)
class EntryFilter:
    """Which entries a list holds (None: any)."""

    event_id: UUID | None = None  # entries covering that event: its own and tenant-wide
    active: bool | None = None  # True: in force at `at`; False: removed or expired
    at: datetime | None = None


class BlacklistQueries:
    """Reads of the blacklist entries table."""

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def entry(self, tenant_id: UUID, entry_id: UUID) -> EntryRow | None:
        """One entry of the tenant's blacklist."""
        query = select(screening_blacklist_entries).where(
            b_.tenant_id == tenant_id, b_.entry_id == entry_id
        )
        rows = self.reader.rows(query)
        return _row(rows[0]._mapping) if rows else None

    def entries(
        self, tenant_id: UUID, where: EntryFilter, limit: int, cursor: str | None
    ) -> Page[EntryRow]:
        """The tenant's entries matching the filter, oldest first, a page at a time."""
        query = select(screening_blacklist_entries).where(b_.tenant_id == tenant_id)
        if where.event_id is not None:
            query = query.where(or_(b_.event_id.is_(None), b_.event_id == where.event_id))
        if where.active is not None and where.at is not None:
            in_force = and_(
                b_.removed.is_(False), or_(b_.expires_at.is_(None), b_.expires_at > where.at)
            )
            query = query.where(in_force if where.active else ~in_force)
        query = keyset(query, b_.added_at, b_.entry_id, limit, cursor)
        rows = [_row(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.added_at, r.id))


class ExpiryQueries:
    """Which blacklists have entries whose expiry is due, across tenants: for the policy."""

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def tenants_due(self, at: datetime) -> list[UUID]:
        """Tenants with an entry expired at `at` whose expiry is not recorded yet."""
        query = (
            select(b_.tenant_id)
            .where(*_unrecorded(), b_.expires_at <= at)
            .distinct()
            .order_by(b_.tenant_id)
        )
        return [r.tenant_id for r in self.reader.rows(query)]

    def next_expiry(self) -> datetime | None:
        """The earliest expiry not recorded yet, past or future; None: no entry expires."""
        rows = self.reader.rows(select(func.min(b_.expires_at)).where(*_unrecorded()))
        found: datetime | None = rows[0][0] if rows else None
        return found


def _unrecorded() -> tuple[ColumnElement[bool], ...]:
    return (
        b_.expires_at.is_not(None),
        b_.removed.is_(False),
        b_.expiry_recorded_at.is_(None),
    )


def _row(mapping: RowMapping) -> EntryRow:
    values = dict(mapping)
    return EntryRow(id=values.pop("entry_id"), **values)
