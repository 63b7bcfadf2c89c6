"""The waitlists' read models: who waits where, every offer made, and what became of each entry."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.shared.cause import meta_of
from domain.waitlists.waitlist import Waitlist
from projections.projector import Projector, on

ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"


class WaitlistView(Protocol):
    """Where the waitlist projector writes. Positions are indexes of the whole order, 0 next."""

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
        """An event's waitlist, with its settings."""

    def settings_changed(
        self,
        waitlist_id: UUID,
        offer_window_seconds: int,
        on_accept: str,
        when_full: str,
        version: int,
    ) -> None:
        """The waitlist's settings set to new values."""

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
        """A new waiting entry at `position`; those from there on move one back."""

    def moved(self, entry_id: UUID, position: int, version: int) -> None:
        """A waiting entry now at `position`; those it passed move one the other way."""

    def reprioritised(self, entry_id: UUID, priority: str, position: int, version: int) -> None:
        """A waiting entry of another priority, now at `position`."""

    def offered(
        self,
        entry_id: UUID,
        offer_id: UUID,
        seats: int,
        expires_at: datetime,
        version: int,
        at: datetime,
    ) -> None:
        """An entry holds an offer: it leaves the order, those behind it move one up."""

    def offer_answered(
        self, entry_id: UUID, offer_id: UUID, outcome: str, actor: str | None, at: datetime
    ) -> None:
        """The offer was accepted, declined or expired: the entry ends with it."""

    def left(self, entry_id: UUID, reason: str | None, actor: str | None, at: datetime) -> None:
        """The entry left; an offer it held is withdrawn."""


def _actor(e: object) -> str | None:
    """Who caused it: the actor the command names, or else the one its metadata records."""
    named: str | None = getattr(e, "actor", None)
    return named if named is not None else meta_of(e).get("actor")


class WaitlistProjector(Projector[WaitlistView]):
    name = "waitlists"
    version = 2
    upstream = ("registration",)

    @on(Waitlist.Opened)
    def _opened(self, e: Waitlist.Opened, view: WaitlistView) -> None:
        view.opened(
            e.originator_id,
            e.tenant_id,
            e.event_id,
            e.offer_window_seconds,
            e.on_accept,
            e.when_full,
            e.timestamp,
        )

    @on(Waitlist.SettingsChanged)
    def _settings(self, e: Waitlist.SettingsChanged, view: WaitlistView) -> None:
        view.settings_changed(
            e.originator_id,
            e.offer_window_seconds,
            e.on_accept,
            e.when_full,
            e.originator_version,
        )

    @on(Waitlist.Joined)
    def _joined(self, e: Waitlist.Joined, view: WaitlistView) -> None:
        view.joined(
            e.originator_id,
            e.entry_id,
            list(e.participant_ids),
            e.category,
            e.priority,
            e.position,
            e.originator_version,
            e.timestamp,
        )

    @on(Waitlist.Moved)
    def _moved(self, e: Waitlist.Moved, view: WaitlistView) -> None:
        view.moved(e.entry_id, e.position, e.originator_version)

    @on(Waitlist.Reprioritised)
    def _reprioritised(self, e: Waitlist.Reprioritised, view: WaitlistView) -> None:
        view.reprioritised(e.entry_id, e.priority, e.position, e.originator_version)

    @on(Waitlist.Offered)
    def _offered(self, e: Waitlist.Offered, view: WaitlistView) -> None:
        view.offered(
            e.entry_id, e.offer_id, e.seats, e.expires_at, e.originator_version, e.timestamp
        )

    @on(Waitlist.OfferAccepted)
    def _accepted(self, e: Waitlist.OfferAccepted, view: WaitlistView) -> None:
        view.offer_answered(e.entry_id, e.offer_id, ACCEPTED, _actor(e), e.timestamp)

    @on(Waitlist.OfferDeclined)
    def _declined(self, e: Waitlist.OfferDeclined, view: WaitlistView) -> None:
        view.offer_answered(e.entry_id, e.offer_id, DECLINED, _actor(e), e.timestamp)

    @on(Waitlist.OfferExpired)
    def _expired(self, e: Waitlist.OfferExpired, view: WaitlistView) -> None:
        view.offer_answered(e.entry_id, e.offer_id, EXPIRED, _actor(e), e.timestamp)

    @on(Waitlist.Left)
    def _left(self, e: Waitlist.Left, view: WaitlistView) -> None:
        view.left(e.entry_id, e.reason, _actor(e), e.timestamp)
