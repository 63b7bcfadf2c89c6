"""Reads of the waitlists for the HTTP API and the offer-expiry worker, within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Engine,
    RowMapping,
    ScalarSelect,
    Select,
    String,
    cast,
    func,
    literal,
    select,
)

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


# The order keys fit a BIGINT; a cursor holding another number was not handed out.
_KEYS = range(-(2**63), 2**63)


def _waiting_after(cursor: str) -> int | None:
    """The order key a cursor into the waiting entries holds; None: it is past them."""
    values = decode_cursor(cursor)
    if len(values) != 1:
        return None  # an offered entry's (deadline, id): keyset() reads it
    try:
        place = int(values[0])
    except ValueError:
        raise BadCursor("the cursor is not valid") from None
    if str(place) != values[0] or place not in _KEYS:
        raise BadCursor("the cursor is not valid")
    return place


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
        after = _waiting_after(cursor) if cursor is not None else None
        among_waiting = cursor is None or after is not None
        items: list[EntryRow] = []
        places: list[int] = []
        if among_waiting and state in (None, WAITING):
            waiting = self._waiting(tenant_id, event_id, category, after, limit + 1)
            for row in self.reader.rows(waiting):
                values = dict(row._mapping)
                places.append(values["place"])
                items.append(_entry(values))
            if len(items) > limit:
                return Page(items[:limit], _place_cursor(places[limit - 1]))
        if state not in (None, OFFERED):
            return Page(items, None)
        wanted = limit - len(items)
        # From the first offered entry when the page began among the waiting ones.
        offered = keyset(
            query.where(e_.state == OFFERED),
            e_.offer_expires_at,
            e_.entry_id,
            max(wanted, 1),
            cursor if not among_waiting else None,
        )
        rows = [_entry(r._mapping) for r in self.reader.rows(offered)]
        if wanted == 0:  # the waiting ones filled the page: the offered follow
            return Page(items, _place_cursor(places[-1]) if rows else None)
        page = keyset_page(rows, wanted, lambda r: (_deadline(r), r.id))
        return Page(items + page.items, page.next_cursor)

    def _waiting(
        self, tenant_id: UUID, event_id: UUID, category: str | None, after: int | None, limit: int
    ) -> Select[Any]:
        """The event's waiting entries in order past the key `after`, each with its position.

        The first one's position is one more than the count of keys up to `after`; each
        next one's, one more than the one before it, among all the event's waiting
        entries, so counted before a category is picked.
        """
        ahead = waitlist_entries.alias("ahead")
        waiting = [e_.tenant_id == tenant_id, e_.event_id == event_id, e_.state == WAITING]
        passed: Any = literal(0)
        if after is not None:
            waiting.append(e_.place > after)
            passed = (
                select(func.count())
                .where(ahead.c.event_id == event_id, ahead.c.state == WAITING)
                .where(ahead.c.place <= after)
                .scalar_subquery()
            )
        position = func.row_number().over(order_by=e_.place) + passed
        ranked = select(waitlist_entries, position.label("position")).where(*waiting).subquery()
        query = select(ranked)
        if category is not None:
            query = query.where(ranked.c.category == category)
        return query.order_by(ranked.c.place).limit(limit)

    def entry(self, tenant_id: UUID, event_id: UUID, entry_id: UUID) -> EntryDetail | None:
        """One entry of the event, waiting or offered, with its ranks."""
        ahead = waitlist_entries.alias("ahead")

        def counted_ahead(*also: ColumnElement[bool]) -> ScalarSelect[int]:
            return (
                select(func.count())
                .where(
                    ahead.c.event_id == e_.event_id,
                    ahead.c.state == WAITING,
                    ahead.c.place < e_.place,
                    *also,
                )
                .scalar_subquery()
            )

        same = ahead.c.category.is_not_distinct_from(e_.category)
        query = select(
            waitlist_entries,
            counted_ahead().label("ahead"),
            counted_ahead(same).label("same_ahead"),
        ).where(e_.tenant_id == tenant_id, e_.event_id == event_id, e_.entry_id == entry_id)
        rows = self.reader.rows(query)
        if not rows:
            return None
        values = dict(rows[0]._mapping)
        overall, in_category = values.pop("ahead") + 1, values.pop("same_ahead") + 1
        if values["state"] != WAITING:
            return EntryDetail(_entry(values), None, None)
        return EntryDetail(_entry({**values, "position": overall}), overall, in_category)

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


def _place_cursor(place: int) -> str:
    return encode_cursor(str(place))


def _deadline(row: EntryRow) -> datetime:
    assert row.offer_expires_at is not None  # every offered entry has one
    return row.offer_expires_at


def _ids(values: list[str]) -> list[UUID]:
    return [UUID(v) for v in values]


def _entry(mapping: RowMapping | dict[str, Any]) -> EntryRow:
    """The row as the API reads it: its position (None: offered) in place of its key."""
    values = dict(mapping)
    del values["place"]
    values.setdefault("position", None)
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
