"""An event's waitlist: the people waiting for a seat, in order, and the offers that seat them.

One per event, with an id derived from the event's, so the first entry creates it and
every later command finds it. An entry is one participant or a party of several, each in
at most one entry at a time. When seats free, the entries they go to are offered them:
an offer holds its seats until it is accepted, declined or expires. An entry ends with
its offer (accepted, declined or expired) or when it leaves; a participant may join
again later, as a new entry at the end of its band.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, overload
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Transcoding

from domain.shared.copies import copy_sharing_items
from domain.shared.errors import InvalidValue, NotFound, RuleViolation
from domain.shared.names import free_text
from domain.waitlists.queue import FreeSeats, Move, Place, Priority, joined_at, moved_to, seated

WAITLIST_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:waitlists:waitlist")
PARTY_MAX = 20
REASON_MAX = 500
DEFAULT_OFFER_WINDOW = timedelta(hours=48)
# Short windows serve a desk on site calling the next person in line.
OFFER_WINDOW_MIN = timedelta(seconds=5)
OFFER_WINDOW_MAX = timedelta(days=30)


def waitlist_id(event_id: UUID) -> UUID:
    """The id of the event's waitlist, whether or not it exists yet."""
    return uuid5(WAITLIST_NAMESPACE, str(event_id))


def offer_id(entry_id: UUID) -> UUID:
    """The id of the one offer an entry can have: the same on every run of the policy."""
    return uuid5(WAITLIST_NAMESPACE, f"offer:{entry_id}")


class WhenFull(StrEnum):
    """What a registration does when the event (or its category) is full."""

    WAITLIST = "waitlist"  # it joins the waitlist (where the tenant has the WAITLIST feature)
    REFUSE = "refuse"  # it is refused with a problem


class OnAccept(StrEnum):
    """What accepting an offer makes of its participants."""

    APPROVE = "approve"  # approved at once, in the seat the offer held
    WORKFLOW = "workflow"  # into the event's workflow, the seat held for them


class AlreadyWaiting(RuleViolation):
    code = "already-on-waitlist"
    title = "The participant is on the waitlist already"


class UnknownEntry(NotFound):
    code = "waitlist-entry-not-found"
    title = "No such waitlist entry"


class NotWaiting(RuleViolation):
    code = "waitlist-entry-offered"
    title = "The entry has an offer: it no longer waits in the order"


class NoOffer(RuleViolation):
    code = "no-waitlist-offer"
    title = "The entry has no offer to answer"


class OfferExpired(RuleViolation):
    code = "waitlist-offer-expired"
    title = "The offer has expired"


@dataclass(frozen=True)
class Offer:
    """Seats held for an entry until it answers or the deadline passes."""

    id: UUID
    seats: int
    expires_at: datetime


@dataclass(frozen=True)
class Entry:
    """One participant, or a party, waiting (or offered seats)."""

    id: UUID
    participant_ids: tuple[UUID, ...]
    category: str | None
    priority: Priority
    offer: Offer | None = None

    @property
    def seats(self) -> int:
        return len(self.participant_ids)

    def __deepcopy__(self, memo: dict[int, Any]) -> Entry:
        # Immutable all through: a copy of the waitlist (the aggregate cache gives every
        # command one) shares its entries instead of copying thousands of them.
        return self

    def place(self) -> Place:
        return Place(self.id, self.priority, self.category, self.seats)


@dataclass(frozen=True)
class Rank:
    """Where an entry waits: 1 is next, overall and among its category's entries."""

    overall: int
    in_category: int


class _Places(Sequence[Place]):
    """The waiting entries' places in order, each made when asked for: the rules look at
    the end of a band or the front of the order, not at thousands of entries."""

    def __init__(self, entries: dict[str, Entry], order: list[str]) -> None:
        self._entries = entries
        self._order = order

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> Place: ...

    @overload
    def __getitem__(self, index: slice) -> list[Place]: ...

    def __getitem__(self, index: int | slice) -> Place | list[Place]:
        if isinstance(index, slice):
            return [self._entries[key].place() for key in self._order[index]]
        return self._entries[self._order[index]].place()

    def __iter__(self) -> Iterator[Place]:
        return (self._entries[key].place() for key in self._order)


def _party(participant_ids: Sequence[UUID]) -> tuple[UUID, ...]:
    party = tuple(dict.fromkeys(participant_ids))
    if not party:
        raise InvalidValue("participant_ids", "an entry needs at least one participant")
    if len(party) != len(participant_ids):
        raise InvalidValue("participant_ids", "a participant can be in a party only once")
    if len(party) > PARTY_MAX:
        raise InvalidValue("participant_ids", f"a party is at most {PARTY_MAX} participants")
    return party


def clean_reason(value: str | None) -> str:
    reason = free_text(value, "reason", REASON_MAX)
    if reason is None:
        raise InvalidValue("reason", "say why the entry moves, for the record")
    return reason


def clean_window(value: timedelta) -> timedelta:
    if not OFFER_WINDOW_MIN <= value <= OFFER_WINDOW_MAX:
        raise InvalidValue(
            "offer_window_seconds", "an offer's window must be from 5 seconds to 30 days"
        )
    return value


class Waitlist(Aggregate):
    # 2: the settings have a version of their own (snapshots taken before are upcast).
    class_version = 2

    # Domain events: a public contract, each with its typed payload.

    class Opened(Aggregate.Created):
        """An event's waitlist was started (by its first entry, or its settings)."""

        tenant_id: UUID
        event_id: UUID
        offer_window_seconds: int
        on_accept: str
        when_full: str

    class SettingsChanged(Aggregate.Event):
        """How long an offer holds its seats, what accepting it does, and what a
        registration does when the event is full."""

        offer_window_seconds: int
        on_accept: str
        when_full: str

    class Joined(Aggregate.Event):
        """A participant (or a party) joined, at `position` (0: next) of the order."""

        entry_id: UUID
        participant_ids: list[UUID]
        category: str | None
        priority: str
        position: int
        actor: str | None

    class Left(Aggregate.Event):
        """The entry left the waitlist (an offer it held is given up)."""

        entry_id: UUID
        reason: str | None
        actor: str | None

    class Moved(Aggregate.Event):
        """Staff moved the entry within its priority, to `position` of the order."""

        entry_id: UUID
        move: str
        position: int
        reason: str
        actor: str | None

    class Reprioritised(Aggregate.Event):
        """Staff gave the entry another priority: it went to the end of that band."""

        entry_id: UUID
        priority: str
        position: int
        reason: str
        actor: str | None

    class Offered(Aggregate.Event):
        """Seats freed went to the entry: they are held for it until `expires_at`."""

        entry_id: UUID
        offer_id: UUID
        seats: int
        expires_at: datetime

    class OfferAccepted(Aggregate.Event):
        """The entry took the seats it was offered."""

        entry_id: UUID
        offer_id: UUID
        actor: str | None

    class OfferDeclined(Aggregate.Event):
        """The entry turned the offer down: its seats pass on."""

        entry_id: UUID
        offer_id: UUID
        actor: str | None

    class OfferExpired(Aggregate.Event):
        """The offer's deadline passed unanswered: its seats pass on."""

        entry_id: UUID
        offer_id: UUID

    @event(Opened)
    def __init__(
        self,
        tenant_id: UUID,
        event_id: UUID,
        offer_window_seconds: int = int(DEFAULT_OFFER_WINDOW.total_seconds()),
        on_accept: str = OnAccept.APPROVE.value,
        when_full: str = WhenFull.WAITLIST.value,
    ) -> None:
        self.tenant_id = tenant_id
        self.event_id = event_id
        self._keep_settings(offer_window_seconds, on_accept, when_full, self.version)
        self.entries: dict[str, Entry] = {}  # waiting or offered, by entry id
        self.order: list[str] = []  # the waiting entries' ids, next first
        self.of_participant: dict[str, str] = {}  # participant id -> entry id

    @staticmethod
    def create_id(event_id: UUID) -> UUID:
        return waitlist_id(event_id)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot from before the settings had a version of their own: they are taken
        to be those it opened with (version 1). That is so for a waitlist whose settings
        never changed; one changed before the snapshot refuses an If-Match until its
        settings next change (a snapshot keeps no version of its own to tell)."""
        state.setdefault("settings_version", 1)

    def __deepcopy__(self, memo: dict[int, Any]) -> Waitlist:
        # The entries are immutable, and the keys and the order are strings.
        return copy_sharing_items(self, memo, _SHARED_ITEMS)

    # Queries

    @property
    def offer_window(self) -> timedelta:
        """How long an offer made now holds its seats."""
        return timedelta(seconds=self.offer_window_seconds)

    @property
    def on_accept(self) -> OnAccept:
        return OnAccept(self.on_accept_value)

    @property
    def when_full(self) -> WhenFull:
        return WhenFull(self.when_full_value)

    def entry(self, entry_id: UUID) -> Entry:
        """The entry, waiting or offered; UnknownEntry if it has ended or never was."""
        try:
            return self.entries[str(entry_id)]
        except KeyError:
            raise UnknownEntry(f"no waitlist entry with id {entry_id}") from None

    def entry_of(self, participant_id: UUID) -> Entry | None:
        """The participant's entry, waiting or offered, if any."""
        found = self.of_participant.get(str(participant_id))
        return self.entries[found] if found is not None else None

    def waiting(self) -> list[Entry]:
        """The waiting entries, next first."""
        return [self.entries[i] for i in self.order]

    def offers(self) -> list[Entry]:
        """The entries holding an offer, soonest deadline first."""
        offered = [e for e in self.entries.values() if e.offer is not None]
        return sorted(offered, key=lambda e: (e.offer.expires_at, str(e.id)) if e.offer else ())

    def rank(self, entry_id: UUID) -> Rank:
        """Where a waiting entry stands; NotWaiting for one with an offer."""
        entry = self.entry(entry_id)
        if entry.offer is not None:
            raise NotWaiting(f"the entry {entry_id} has an offer until {entry.offer.expires_at}")
        index = self.order.index(str(entry_id))
        ahead = self.order[:index]
        same = sum(1 for i in ahead if self.entries[i].category == entry.category)
        return Rank(overall=index + 1, in_category=same + 1)

    def seats_offered(self, category: str | None = None) -> int:
        """Seats held by offers, in all or of one category."""
        return sum(
            e.offer.seats
            for e in self.entries.values()
            if e.offer is not None and (category is None or e.category == category)
        )

    def next_expiry(self) -> datetime | None:
        """The soonest deadline of an offer; None: no offer stands."""
        return min((e.offer.expires_at for e in self.entries.values() if e.offer), default=None)

    # Commands

    def change_settings(
        self, offer_window: timedelta, on_accept: OnAccept, when_full: WhenFull | None = None
    ) -> None:
        """How long offers made from now on hold their seats, what accepting does, and
        what a registration does when the event is full."""
        window = clean_window(offer_window)
        full = when_full or self.when_full
        if (window, on_accept, full) != (self.offer_window, self.on_accept, self.when_full):
            self._settings_changed(
                offer_window_seconds=int(window.total_seconds()),
                on_accept=on_accept.value,
                when_full=full.value,
            )

    @event(SettingsChanged)
    def _settings_changed(self, offer_window_seconds: int, on_accept: str, when_full: str) -> None:
        # Applied before the aggregate takes the event's version: this event's is the next.
        self._keep_settings(offer_window_seconds, on_accept, when_full, self.version + 1)

    def join(
        self,
        entry_id: UUID,
        participant_ids: Sequence[UUID],
        category: str | None,
        priority: Priority,
        actor: str | None,
    ) -> Entry:
        """Puts a participant (or a party) at the end of its priority's band."""
        party = _party(participant_ids)
        for participant in party:
            if (already := self.entry_of(participant)) is not None:
                raise AlreadyWaiting(
                    f"the participant {participant} is on the waitlist already (entry {already.id})"
                )
        if str(entry_id) in self.entries:
            return self.entries[str(entry_id)]  # the same join again
        position = joined_at(self._places(), priority)
        self._joined(
            entry_id=entry_id,
            participant_ids=list(party),
            category=category,
            priority=priority.value,
            position=position,
            actor=actor,
        )
        return self.entries[str(entry_id)]

    @event(Joined)
    def _joined(
        self,
        entry_id: UUID,
        participant_ids: list[UUID],
        category: str | None,
        priority: str,
        position: int,
        actor: str | None,
    ) -> None:
        del actor  # for the record only
        entry = Entry(
            id=entry_id,
            participant_ids=tuple(participant_ids),
            category=category,
            priority=Priority(priority),
        )
        key = str(entry_id)
        self.entries[key] = entry
        self.order.insert(position, key)
        for participant in participant_ids:
            self.of_participant[str(participant)] = key

    def leave(self, entry_id: UUID, reason: str | None, actor: str | None) -> Entry:
        """Takes the entry off the waitlist; an offer it held is given up."""
        entry = self.entry(entry_id)
        self._left(entry_id=entry_id, reason=free_text(reason, "reason", REASON_MAX), actor=actor)
        return entry

    @event(Left)
    def _left(self, entry_id: UUID, reason: str | None, actor: str | None) -> None:
        del reason, actor  # for the record only
        self._end(entry_id)

    def move(self, entry_id: UUID, move: Move, reason: str, actor: str | None) -> Rank:
        """Moves a waiting entry within its band; at its band's edge already, nothing moves."""
        why = clean_reason(reason)
        index = self._waiting_index(entry_id)
        position = moved_to(self._places(), index, move)
        if position != index:
            self._moved(
                entry_id=entry_id, move=move.value, position=position, reason=why, actor=actor
            )
        return self.rank(entry_id)

    @event(Moved)
    def _moved(
        self, entry_id: UUID, move: str, position: int, reason: str, actor: str | None
    ) -> None:
        del move, reason, actor  # for the record only
        self.order.remove(str(entry_id))
        self.order.insert(position, str(entry_id))

    def reprioritise(
        self, entry_id: UUID, priority: Priority, reason: str, actor: str | None
    ) -> Rank:
        """Gives a waiting entry another priority: it goes to the end of that band."""
        why = clean_reason(reason)
        self._waiting_index(entry_id)
        if self.entry(entry_id).priority is not priority:
            key = str(entry_id)
            others = _Places(self.entries, [k for k in self.order if k != key])
            position = joined_at(others, priority)
            self._reprioritised(
                entry_id=entry_id,
                priority=priority.value,
                position=position,
                reason=why,
                actor=actor,
            )
        return self.rank(entry_id)

    @event(Reprioritised)
    def _reprioritised(
        self, entry_id: UUID, priority: str, position: int, reason: str, actor: str | None
    ) -> None:
        del reason, actor  # for the record only
        key = str(entry_id)
        self.entries[key] = replace(self.entries[key], priority=Priority(priority))
        self.order.remove(key)
        self.order.insert(position, key)

    def offer_seats(self, free: FreeSeats, now: datetime) -> list[Entry]:
        """Offers the free seats down the order; returns the entries offered them now."""
        chosen = seated(self._places(), free)
        expires_at = now + self.offer_window
        for place in chosen:
            self._offered(
                entry_id=place.entry_id,
                offer_id=offer_id(place.entry_id),
                seats=place.seats,
                expires_at=expires_at,
            )
        return [self.entries[str(p.entry_id)] for p in chosen]

    @event(Offered)
    def _offered(self, entry_id: UUID, offer_id: UUID, seats: int, expires_at: datetime) -> None:
        key = str(entry_id)
        offer = Offer(offer_id, seats, expires_at)
        self.entries[key] = replace(self.entries[key], offer=offer)
        self.order.remove(key)

    def accept(self, entry_id: UUID, now: datetime, actor: str | None) -> Entry:
        """Takes the offered seats, before the deadline."""
        entry, offer = self._offered_entry(entry_id)
        if now >= offer.expires_at:
            raise OfferExpired(f"the offer expired at {offer.expires_at.isoformat()}")
        self._offer_accepted(entry_id=entry_id, offer_id=offer.id, actor=actor)
        return entry

    @event(OfferAccepted)
    def _offer_accepted(self, entry_id: UUID, offer_id: UUID, actor: str | None) -> None:
        del offer_id, actor  # for the record only
        self._end(entry_id)

    def decline(self, entry_id: UUID, actor: str | None) -> Entry:
        """Turns the offer down: the entry ends, its seats pass on."""
        entry, offer = self._offered_entry(entry_id)
        self._offer_declined(entry_id=entry_id, offer_id=offer.id, actor=actor)
        return entry

    @event(OfferDeclined)
    def _offer_declined(self, entry_id: UUID, offer_id: UUID, actor: str | None) -> None:
        del offer_id, actor  # for the record only
        self._end(entry_id)

    def expire_offers(self, now: datetime) -> list[Entry]:
        """Ends every offer whose deadline has passed; returns their entries."""
        due = [e for e in self.offers() if e.offer is not None and e.offer.expires_at <= now]
        for entry in due:
            assert entry.offer is not None
            self._offer_expired(entry_id=entry.id, offer_id=entry.offer.id)
        return due

    @event(OfferExpired)
    def _offer_expired(self, entry_id: UUID, offer_id: UUID) -> None:
        del offer_id  # for the record only
        self._end(entry_id)

    # Helpers

    def _keep_settings(
        self, offer_window_seconds: int, on_accept: str, when_full: str, version: int
    ) -> None:
        # Kept as the events carry them, plain JSON values: a snapshot stores the state
        # as it is, and could keep neither a timedelta nor (past a round trip) an enum.
        self.offer_window_seconds = offer_window_seconds
        self.on_accept_value = OnAccept(on_accept).value
        self.when_full_value = WhenFull(when_full).value
        # The settings' own version (If-Match on them): joins and offers do not change it.
        self.settings_version = version

    def _places(self) -> Sequence[Place]:
        return _Places(self.entries, self.order)

    def _waiting_index(self, entry_id: UUID) -> int:
        entry = self.entry(entry_id)
        if entry.offer is not None:
            raise NotWaiting(f"the entry {entry_id} has an offer: it no longer waits in order")
        return self.order.index(str(entry_id))

    def _offered_entry(self, entry_id: UUID) -> tuple[Entry, Offer]:
        entry = self.entry(entry_id)
        if entry.offer is None:
            raise NoOffer(f"the entry {entry_id} is waiting: it has no offer to answer")
        return entry, entry.offer

    def _end(self, entry_id: UUID) -> None:
        key = str(entry_id)
        entry = self.entries.pop(key)
        if key in self.order:
            self.order.remove(key)
        for participant in entry.participant_ids:
            self.of_participant.pop(str(participant), None)


_SHARED_ITEMS = frozenset({"entries", "order", "of_participant"})


class EntryAsDict(Transcoding):
    """Lets snapshots of waitlists store their entries (and their offers)."""

    type = Entry
    name = "waitlist_entry"

    def encode(self, obj: Entry) -> dict[str, Any]:
        offer = obj.offer
        return {
            "id": obj.id,
            "participant_ids": list(obj.participant_ids),
            "category": obj.category,
            "priority": obj.priority.value,
            "offer": None
            if offer is None
            else {"id": offer.id, "seats": offer.seats, "expires_at": offer.expires_at},
        }

    def decode(self, data: dict[str, Any]) -> Entry:
        offer = data["offer"]
        return Entry(
            id=data["id"],
            participant_ids=tuple(data["participant_ids"]),
            category=data["category"],
            priority=Priority(data["priority"]),
            offer=None if offer is None else Offer(**offer),
        )


def participants_of(entries: Iterable[Entry]) -> list[UUID]:
    """Every participant of these entries, in their order."""
    return [p for e in entries for p in e.participant_ids]
