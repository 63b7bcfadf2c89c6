"""The waitlists as tables, written by the waitlist projector.

A waiting entry stores an order key (`place`), not its position: an entry that joins
or moves gets a key between those of its new neighbours (see `order`), and one that
is offered seats or leaves writes only its own row, so no change shifts the others
however long the order. Positions are counted where they are read (`queries`). A
key depends on the rows before it, so the entries table is written and read
directly; the other tables' rows are independent and go through the batch's row
buffer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from adapters.projection.sql_view import SqlView
from adapters.waitlists.order import WaitingOrder
from adapters.waitlists.tables import (
    LEFT,
    OFFERED,
    OPEN,
    WAITING,
    WITHDRAWN,
    waitlist_entries,
    waitlist_offers,
    waitlist_promotions,
    waitlists,
)
from domain.waitlists.waitlist import Waitlist

e_ = waitlist_entries.c


class SqlWaitlistView(SqlView):
    """The waitlist projector's view changes, inside the runner's transaction."""

    tables = (waitlists, waitlist_entries, waitlist_offers, waitlist_promotions)

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self.order = WaitingOrder(conn)

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        # A new entry reads its waitlist's tenant and event.
        joined = {e.originator_id for e in domain_events if isinstance(e, Waitlist.Joined)}
        self.rows.load(waitlists, joined)

    def opened(
        self,
        waitlist_id: UUID,
        tenant_id: UUID,
        event_id: UUID,
        offer_window_seconds: int,
        on_accept: str,
        when_full: str,
        at: datetime,
    ) -> None:
        self.rows.insert(
            waitlists,
            {
                "waitlist_id": waitlist_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "offer_window_seconds": offer_window_seconds,
                "on_accept": on_accept,
                "when_full": when_full,
                "opened_at": at,
                "version": 1,
            },
        )

    def settings_changed(
        self,
        waitlist_id: UUID,
        offer_window_seconds: int,
        on_accept: str,
        when_full: str,
        version: int,
    ) -> None:
        values = {
            "offer_window_seconds": offer_window_seconds,
            "on_accept": on_accept,
            "when_full": when_full,
            "version": version,
        }
        self.rows.update(waitlists, waitlist_id, values)

    def joined(
        self,
        waitlist_id: UUID,
        entry_id: UUID,
        participant_ids: list[UUID],
        category: str | None,
        priority: str,
        position: int,
        version: int,
        at: datetime,
    ) -> None:
        tenant_id = self.rows.value(waitlists, waitlist_id, "tenant_id")
        event_id = self.rows.value(waitlists, waitlist_id, "event_id")
        party = [str(p) for p in participant_ids]
        place = self.order.key_at(event_id, position)
        self.conn.execute(
            insert(waitlist_entries).values(
                entry_id=entry_id,
                tenant_id=tenant_id,
                event_id=event_id,
                participant_ids=party,
                seats=len(party),
                category=category,
                priority=priority,
                state=WAITING,
                place=place,
                joined_at=at,
                offer_id=None,
                offer_expires_at=None,
                version=version,
            )
        )
        self.rows.insert(
            waitlist_promotions,
            {
                "entry_id": entry_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "participant_ids": party,
                "category": category,
                "priority": priority,
                "joined_at": at,
                "offered_at": None,
                "offer_id": None,
                "outcome": WAITING,
                "ended_at": None,
                "ended_by": None,
                "left_reason": None,
            },
        )

    def moved(self, entry_id: UUID, position: int, version: int) -> None:
        self._move(entry_id, position, {"version": version})

    def reprioritised(self, entry_id: UUID, priority: str, position: int, version: int) -> None:
        self._move(entry_id, position, {"priority": priority, "version": version})
        self.rows.update(waitlist_promotions, entry_id, {"priority": priority})

    def offered(
        self,
        entry_id: UUID,
        offer_id: UUID,
        seats: int,
        expires_at: datetime,
        version: int,
        at: datetime,
    ) -> None:
        entry = self._entry(entry_id)
        self._set_entry(
            entry_id,
            {
                "state": OFFERED,
                "place": None,
                "offer_id": offer_id,
                "offer_expires_at": expires_at,
                "version": version,
            },
        )
        self.rows.insert(
            waitlist_offers,
            {
                "offer_id": offer_id,
                "entry_id": entry_id,
                "tenant_id": entry["tenant_id"],
                "event_id": entry["event_id"],
                "participant_ids": entry["participant_ids"],
                "seats": seats,
                "category": entry["category"],
                "offered_at": at,
                "expires_at": expires_at,
                "state": OPEN,
                "answered_at": None,
                "answered_by": None,
            },
        )
        values = {"outcome": OFFERED, "offered_at": at, "offer_id": offer_id}
        self.rows.update(waitlist_promotions, entry_id, values)

    def offer_answered(
        self, entry_id: UUID, offer_id: UUID, outcome: str, actor: str | None, at: datetime
    ) -> None:
        self.conn.execute(delete(waitlist_entries).where(e_.entry_id == entry_id))
        answer = {"state": outcome, "answered_at": at, "answered_by": actor}
        self.rows.update(waitlist_offers, offer_id, answer)
        ended = {"outcome": outcome, "ended_at": at, "ended_by": actor}
        self.rows.update(waitlist_promotions, entry_id, ended)

    def left(self, entry_id: UUID, reason: str | None, actor: str | None, at: datetime) -> None:
        entry = self._entry(entry_id)
        self.conn.execute(delete(waitlist_entries).where(e_.entry_id == entry_id))
        if entry["state"] != WAITING:
            answer = {"state": WITHDRAWN, "answered_at": at, "answered_by": actor}
            self.rows.update(waitlist_offers, entry["offer_id"], answer)
        ended = {"outcome": LEFT, "ended_at": at, "ended_by": actor, "left_reason": reason}
        self.rows.update(waitlist_promotions, entry_id, ended)

    def _move(self, entry_id: UUID, position: int, values: dict[str, Any]) -> None:
        """The waiting entry to `position` (0: next) among the others, whose keys stay."""
        event_id = self._entry(entry_id)["event_id"]
        place = self.order.key_at(event_id, position, without=entry_id)
        self._set_entry(entry_id, {**values, "place": place})

    def _entry(self, entry_id: UUID) -> RowMapping:
        found = self.conn.execute(select(waitlist_entries).where(e_.entry_id == entry_id))
        return found.mappings().one()

    def _set_entry(self, entry_id: UUID, values: dict[str, Any]) -> None:
        self.conn.execute(update(waitlist_entries).where(e_.entry_id == entry_id).values(values))
