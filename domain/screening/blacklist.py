"""The blacklist: one per tenant, the people barred from its events, and why.

An entry is scoped to the whole tenant or to one of its events, may expire, and is
removed rather than forgotten: a removed entry stays in the history, for auditors,
and stops matching anyone. Its id is derived from the tenant, so the first entry
creates it and every later command finds it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import InvalidValue, NotFound, RuleViolation
from domain.shared.moments import checked_moment
from domain.shared.names import display_name, free_text

# Fixed for good: every blacklist id ever handed out was derived with it.
BLACKLIST_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:screening:blacklist")
NAME_MAX = 100
EMAIL_MAX = 254
REASON_MAX = 500
ENTRIES_MAX = 10_000
EARLIEST_BIRTH = date(1900, 1, 1)

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
_DOCUMENT = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,28}[A-Z0-9]")


@lru_cache(maxsize=4096)
def blacklist_id(tenant_id: UUID) -> UUID:
    """The id of the tenant's blacklist, whether or not it exists yet."""
    return uuid5(BLACKLIST_NAMESPACE, str(tenant_id))


class UnknownEntry(NotFound):
    code = "blacklist-entry-not-found"
    title = "No such blacklist entry"


class EntryRemoved(RuleViolation):
    code = "blacklist-entry-removed"
    title = "The blacklist entry was removed already"


class BlacklistFull(RuleViolation):
    code = "blacklist-full"
    title = "The blacklist holds as many entries as it may"


class EntryTooVague(InvalidValue):
    """An entry that could never match anyone: it names too little of a person."""

    code = "blacklist-entry-too-vague"
    title = "The entry names too little to match anyone"


@dataclass(frozen=True)
class Entry:
    """One barred person, as the entry describes them."""

    id: UUID
    event_id: UUID | None  # None: every event of the tenant
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    document_number: str | None
    email: str | None
    reason: str
    expires_at: datetime | None
    actor: str | None
    removed: bool = False
    expiry_recorded: bool = False  # its expiry is a domain event (EntryExpired)

    def in_force(self, at: datetime) -> bool:
        """Neither removed nor expired at that moment."""
        return not self.removed and (self.expires_at is None or at < self.expires_at)

    def status(self, at: datetime) -> str:
        """removed, expired, or active at that moment."""
        if self.removed:
            return "removed"
        return "active" if self.in_force(at) else "expired"

    def due_to_expire(self, at: datetime) -> bool:
        """Expired at that moment, and the expiry not recorded yet."""
        return not (self.removed or self.expiry_recorded or self.in_force(at))

    def applies_to(self, event_id: UUID) -> bool:
        """Whether it covers a registration for this event."""
        return self.event_id is None or self.event_id == event_id

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.first_name, self.last_name) if n)


def _optional_name(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    return display_name(value, field, NAME_MAX)


def clean_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = unicodedata.normalize("NFKC", value).strip()
    if len(cleaned) > EMAIL_MAX or not _EMAIL.fullmatch(cleaned):
        raise InvalidValue("email", "the email must look like name@example.org")
    return cleaned


def clean_document(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = " ".join(unicodedata.normalize("NFKC", value).split()).upper()
    if not _DOCUMENT.fullmatch(cleaned):
        raise InvalidValue(
            "document_number", "the document number must be 3 to 30 letters, digits, - or spaces"
        )
    return cleaned


def clean_birth_date(value: date | None, today: date) -> date | None:
    if value is None:
        return None
    if value > today:
        raise InvalidValue("date_of_birth", "the date of birth must not be in the future")
    if value < EARLIEST_BIRTH:
        raise InvalidValue("date_of_birth", "the date of birth must be 1900-01-01 or later")
    return value


def clean_reason(value: str | None) -> str:
    reason = free_text(value, "reason", REASON_MAX)
    if reason is None:
        raise InvalidValue("reason", "the reason must not be blank")
    return reason


def clean_expiry(value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    checked_moment(value, "expires_at")
    if value <= now:
        raise InvalidValue("expires_at", "the expiry must be in the future")
    return value


class Blacklist(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Created(Aggregate.Created):
        """A tenant's blacklist was started, by its first entry."""

        tenant_id: UUID

    class EntryAdded(Aggregate.Event):
        """A person was barred from the tenant's events (event_id null) or from one event."""

        entry_id: UUID
        event_id: UUID | None
        first_name: str | None
        last_name: str | None
        date_of_birth: str | None  # an ISO date
        document_number: str | None  # upper case, white space folded
        email: str | None
        reason: str
        expires_at: datetime | None  # null: never
        actor: str | None

    class EntryRemoved(Aggregate.Event):
        """An entry was lifted: it matches no one from now on."""

        entry_id: UUID
        reason: str | None
        actor: str | None

    class EntryExpired(Aggregate.Event):
        """An entry's expiry came: it matches no one from then on (recorded after the fact,
        so the people it stopped are screened again)."""

        entry_id: UUID
        expires_at: datetime

    @event(Created)
    def __init__(self, tenant_id: UUID) -> None:
        self.tenant_id = tenant_id
        self.entries: dict[UUID, Entry] = {}

    @staticmethod
    def create_id(tenant_id: UUID) -> UUID:
        return blacklist_id(tenant_id)

    # Queries

    def entry(self, entry_id: UUID) -> Entry:
        """The entry with this id; UnknownEntry if the blacklist has none."""
        try:
            return self.entries[entry_id]
        except KeyError:
            raise UnknownEntry(f"no blacklist entry with id {entry_id}") from None

    def in_force(self, event_id: UUID, at: datetime) -> list[Entry]:
        """The entries covering registrations for the event at that moment."""
        return [e for e in self.entries.values() if e.applies_to(event_id) and e.in_force(at)]

    def next_expiry(self) -> datetime | None:
        """When the next entry not yet recorded as expired expires; None: none will."""
        due = [
            e.expires_at
            for e in self.entries.values()
            if e.expires_at is not None and not (e.removed or e.expiry_recorded)
        ]
        return min(due, default=None)

    # Commands

    def add_entry(
        self,
        now: datetime,
        actor: str | None,
        reason: str,
        event_id: UUID | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        date_of_birth: date | None = None,
        document_number: str | None = None,
        email: str | None = None,
        expires_at: datetime | None = None,
    ) -> UUID:
        """Adds an entry that can match someone; returns its id."""
        if len(self.entries) >= ENTRIES_MAX:
            raise BlacklistFull(f"a blacklist holds at most {ENTRIES_MAX} entries")
        first, last = (
            _optional_name(first_name, "first_name"),
            _optional_name(last_name, "last_name"),
        )
        born = clean_birth_date(date_of_birth, now.astimezone(UTC).date())
        document, mail = clean_document(document_number), clean_email(email)
        self._check_matchable(bool(first or last), born, document, mail)
        entry_id = uuid4()
        self._entry_added(
            entry_id=entry_id,
            event_id=event_id,
            first_name=first,
            last_name=last,
            date_of_birth=born.isoformat() if born else None,
            document_number=document,
            email=mail,
            reason=clean_reason(reason),
            expires_at=clean_expiry(expires_at, now),
            actor=actor,
        )
        return entry_id

    @event(EntryAdded)
    def _entry_added(
        self,
        entry_id: UUID,
        event_id: UUID | None,
        first_name: str | None,
        last_name: str | None,
        date_of_birth: str | None,
        document_number: str | None,
        email: str | None,
        reason: str,
        expires_at: datetime | None,
        actor: str | None,
    ) -> None:
        self.entries[entry_id] = Entry(
            id=entry_id,
            event_id=event_id,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date.fromisoformat(date_of_birth) if date_of_birth else None,
            document_number=document_number,
            email=email,
            reason=reason,
            expires_at=expires_at,
            actor=actor,
        )

    def remove_entry(self, entry_id: UUID, reason: str | None, actor: str | None) -> None:
        """Lifts an entry; one removed already is refused."""
        if self.entry(entry_id).removed:
            raise EntryRemoved(f"the blacklist entry {entry_id} was removed already")
        self._entry_removed(
            entry_id=entry_id, reason=free_text(reason, "reason", REASON_MAX), actor=actor
        )

    @event(EntryRemoved)
    def _entry_removed(self, entry_id: UUID, reason: str | None, actor: str | None) -> None:
        del reason, actor  # for the record only
        self.entries[entry_id] = replace(self.entries[entry_id], removed=True)

    def record_expiries(self, now: datetime) -> list[UUID]:
        """Records each entry whose expiry has come (once); returns their ids."""
        due = sorted(
            (e for e in self.entries.values() if e.due_to_expire(now)),
            key=lambda e: (e.expires_at or now, str(e.id)),
        )
        for entry in due:
            assert entry.expires_at is not None
            self._entry_expired(entry_id=entry.id, expires_at=entry.expires_at)
        return [e.id for e in due]

    @event(EntryExpired)
    def _entry_expired(self, entry_id: UUID, expires_at: datetime) -> None:
        del expires_at  # for the record only
        self.entries[entry_id] = replace(self.entries[entry_id], expiry_recorded=True)

    # Guards

    @staticmethod
    def _check_matchable(
        named: bool, born: date | None, document: str | None, email: str | None
    ) -> None:
        # A name alone would stop every namesake; an e-mail alone names no one in person.
        if document is None and not (named and (born is not None or email is not None)):
            raise EntryTooVague(
                "document_number",
                "an entry needs a document number, or a name with a date of birth or an "
                "e-mail: anything less could never match anyone",
            )
