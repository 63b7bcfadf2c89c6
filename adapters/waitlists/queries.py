"""Reads of the waitlists for the HTTP API and the offer-expiry worker, within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, RowMapping, String, cast, func, literal, select

from adapters.sql.paging import BadCursor, Page, decode_cursor, encode_cursor, keyset, keyset_page
from adapters.sql.reader import Reader
from adapters.waitlists.tables import (
    OFFERED,
    OPEN,
    WAITING,
    waitlist_entries,
    waitlist_offers,
    waitlist_promotions,
    waitlists,
)

w_ = waitlists.c
e_ = waitlist_entries.c
o_ = waitlist_offers.c
p_ = waitlist_promotions.c


@dataclass(frozen=True)
class SettingsRow:
    """A waitlist's settings, at the version of their last change."""

    event_id: UUID
    offer_window_seconds: int
    on_accept: str
    when_full: str
    version: int


@dataclass(frozen=True)
class EntryRow:
    id: UUID
    tenant_id: UUID
    event_id: UUID
    participant_ids: list[UUID]
    seats: int
    category: str | None
    priority: str
    state: str  # waiting or offered
    position: int | None  # 1 = next among the waiting entries; None while offered
    joined_at: datetime
    offer_id: UUID | None
    offer_expires_at: datetime | None
    version: int


@dataclass(frozen=True)
class EntryDetail:
    """An entry and where it stands: 1 is next, overall and in its category (None: offered)."""

    entry: EntryRow
    rank_overall: int | None
    rank_in_category: int | None


@dataclass(frozen=True)
class OfferRow:
    id: UUID
    entry_id: UUID
    tenant_id: UUID
    event_id: UUID
    participant_ids: list[UUID]
    seats: int
    category: str | None
    offered_at: datetime
    expires_at: datetime
    state: str  # open, accepted, declined, expired or withdrawn
    answered_at: datetime | None
    answered_by: str | None


@dataclass(frozen=True)
class PromotionRow:
    entry_id: UUID
    tenant_id: UUID
    event_id: UUID
    participant_ids: list[UUID]
    category: str | None
    priority: str
    joined_at: datetime
    offered_at: datetime | None
    offer_id: UUID | None
    outcome: str  # waiting, offered, accepted, declined, expired or left
    ended_at: datetime | None
    ended_by: str | None
    left_reason: str | None


def _waiting_after(cursor: str) -> int | None:
    """The position a cursor into the waiting entries holds; None: it is past them."""
    values = decode_cursor(cursor)
    if len(values) != 1:
        return None  # an offered entry's (deadline, id): keyset() reads it
    try:
        position = int(values[0])
    except ValueError:
        raise BadCursor("the cursor is not valid") from None
    if position < 1:
        raise BadCursor("the cursor is not valid")
    return position


class WaitlistQueries:
    """Reads of the waitlist tables."""

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def settings(self, tenant_id: UUID, event_id: UUID) -> SettingsRow | None:
        """The event's waitlist settings; None: the event has no waitlist (yet)."""
        query = select(
            w_.event_id, w_.offer_window_seconds, w_.on_accept, w_.when_full, w_.version
        ).where(w_.tenant_id == tenant_id, w_.event_id == event_id)
        rows = self.reader.rows(query)
        return SettingsRow(**rows[0]._mapping) if rows else None

    def entries(
        self,
        tenant_id: UUID,
        event_id: UUID,
        limit: int,
        cursor: str | None,
        category: str | None = None,
        state: str | None = None,
    ) -> Page[EntryRow]:
        """The event's entries: the waiting ones next first, then the offered, soonest deadline."""
        if limit < 1:
            raise ValueError("a page holds at least one item")
        query = select(waitlist_entries).where(e_.tenant_id == tenant_id, e_.event_id == event_id)
        if category is not None:
            query = query.where(e_.category == category)
        after = _waiting_after(cursor) if cursor is not None else 0
        items: list[EntryRow] = []
        if after is not None and state in (None, WAITING):
            waiting = query.where(e_.state == WAITING, e_.position > after)
            waiting = waiting.order_by(e_.position).limit(limit + 1)
            items = [_entry(r._mapping) for r in self.reader.rows(waiting)]
            if len(items) > limit:
                return Page(items[:limit], _position_cursor(items[limit - 1]))
        if state not in (None, OFFERED):
            return Page(items, None)
        wanted = limit - len(items)
        # From the first offered entry when the page began among the waiting ones.
        offered = keyset(
            query.where(e_.state == OFFERED),
            e_.offer_expires_at,
            e_.entry_id,
            max(wanted, 1),
            None if after is not None else cursor,
        )
        rows = [_entry(r._mapping) for r in self.reader.rows(offered)]
        if wanted == 0:  # the waiting ones filled the page: the offered follow
            return Page(items, _position_cursor(items[-1]) if rows else None)
        page = keyset_page(rows, wanted, lambda r: (_deadline(r), r.id))
        return Page(items + page.items, page.next_cursor)

    def entry(self, tenant_id: UUID, event_id: UUID, entry_id: UUID) -> EntryDetail | None:
        """One entry of the event, waiting or offered, with its ranks."""
        ahead = waitlist_entries.alias("ahead")
        same_ahead = (
            select(func.count())
            .where(
                ahead.c.event_id == e_.event_id,
                ahead.c.state == WAITING,
                ahead.c.position < e_.position,
                ahead.c.category.is_not_distinct_from(e_.category),
            )
            .scalar_subquery()
        )
        query = select(waitlist_entries, same_ahead.label("same_ahead")).where(
            e_.tenant_id == tenant_id, e_.event_id == event_id, e_.entry_id == entry_id
        )
        rows = self.reader.rows(query)
        if not rows:
            return None
        values = dict(rows[0]._mapping)
        same = values.pop("same_ahead")
        entry = _entry(values)
        if entry.position is None:
            return EntryDetail(entry, None, None)
        return EntryDetail(entry, entry.position, same + 1)

    def offers(
        self,
        tenant_id: UUID,
        event_id: UUID,
        limit: int,
        cursor: str | None,
        state: str | None = None,
    ) -> Page[OfferRow]:
        """Every offer made on the event's waitlist, oldest first."""
        query = select(waitlist_offers).where(o_.tenant_id == tenant_id, o_.event_id == event_id)
        if state is not None:
            query = query.where(o_.state == state)
        query = keyset(query, o_.offered_at, o_.offer_id, limit, cursor)
        rows = [_offer(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.offered_at, r.id))

    def promotions(
        self,
        tenant_id: UUID,
        event_id: UUID,
        limit: int,
        cursor: str | None,
        participant_id: UUID | None = None,
    ) -> Page[PromotionRow]:
        """The event's entries from join to end, oldest join first, or a participant's."""
        query = select(waitlist_promotions).where(
            p_.tenant_id == tenant_id, p_.event_id == event_id
        )
        if participant_id is not None:
            # The list is JSON text on both backends; an id quoted matches only itself.
            query = query.where(cast(p_.participant_ids, String).contains(f'"{participant_id}"'))
        query = keyset(query, p_.joined_at, p_.entry_id, limit, cursor)
        rows = [_promotion(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.joined_at, r.entry_id))

    def due_offers(self, now: datetime, limit: int) -> list[tuple[UUID, UUID]]:
        """(tenant_id, event_id) of waitlists with an open offer past its deadline, oldest first."""
        due = func.min(o_.expires_at)
        query = (
            select(o_.tenant_id, o_.event_id)
            .where(o_.state == OPEN, o_.expires_at <= literal(now, o_.expires_at.type))
            .group_by(o_.tenant_id, o_.event_id)
            .order_by(due, o_.event_id)
            .limit(limit)
        )
        return [(r.tenant_id, r.event_id) for r in self.reader.rows(query)]

    def next_offer_expiry(self) -> datetime | None:
        """The soonest deadline of an open offer of any waitlist; None: no offer is open."""
        rows = self.reader.rows(select(func.min(o_.expires_at)).where(o_.state == OPEN))
        found: datetime | None = rows[0][0] if rows else None
        return found


def _position_cursor(row: EntryRow) -> str:
    return encode_cursor(str(row.position))


def _deadline(row: EntryRow) -> datetime:
    assert row.offer_expires_at is not None  # every offered entry has one
    return row.offer_expires_at


def _ids(values: list[str]) -> list[UUID]:
    return [UUID(v) for v in values]


def _entry(mapping: RowMapping | dict[str, Any]) -> EntryRow:
    values = dict(mapping)
    values["participant_ids"] = _ids(values["participant_ids"])
    return EntryRow(id=values.pop("entry_id"), **values)


def _offer(mapping: RowMapping) -> OfferRow:
    values = dict(mapping)
    values["participant_ids"] = _ids(values["participant_ids"])
    return OfferRow(id=values.pop("offer_id"), **values)


def _promotion(mapping: RowMapping) -> PromotionRow:
    values = dict(mapping)
    values["participant_ids"] = _ids(values["participant_ids"])
    return PromotionRow(**values)
