"""The screening application's commands on each tenant's Blacklist."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.screening.blacklist import Blacklist, blacklist_id
from domain.screening.blacklist_match import CLEAR, Decision, screen
from domain.screening.participant_screening import ParticipantScreening, screening_id
from domain.shared.application import AccreditApplication, Ack, retry_on_conflict
from domain.shared.cause import current_cause
from domain.shared.errors import NotFound


@dataclass(frozen=True)
class EntryAdded:
    """The answer to adding an entry: the blacklist, and the new entry's id."""

    ack: Ack[Blacklist]
    id: UUID


class BlacklistCommands(AccreditApplication):
    """Entries added and removed; callers check that a named event is the tenant's."""

    def blacklist(self, tenant_id: UUID) -> Blacklist | None:
        """The tenant's blacklist, read-only, or None before its first entry."""
        try:
            return self.load(Blacklist, blacklist_id(tenant_id), readonly=True)
        except NotFound:
            return None

    @retry_on_conflict
    def add_blacklist_entry(
        self,
        tenant_id: UUID,
        reason: str,
        event_id: UUID | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        date_of_birth: date | None = None,
        document_number: str | None = None,
        email: str | None = None,
        expires_at: datetime | None = None,
    ) -> EntryAdded:
        """Bars a person from the tenant's events, or from one of them."""
        try:
            blacklist = self.load(Blacklist, blacklist_id(tenant_id))
        except NotFound:
            blacklist = Blacklist(tenant_id=tenant_id)
        entry_id = blacklist.add_entry(
            self.clock(),
            current_cause().actor,
            reason,
            event_id=event_id,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            document_number=document_number,
            email=email,
            expires_at=expires_at,
        )
        return EntryAdded(self.ack(blacklist), entry_id)

    @retry_on_conflict
    def remove_blacklist_entry(
        self, tenant_id: UUID, entry_id: UUID, reason: str | None = None
    ) -> Ack[Blacklist]:
        """Lifts an entry: it matches no one from now on."""
        try:
            blacklist = self.load(Blacklist, blacklist_id(tenant_id))
        except NotFound:
            raise NotFound(f"no blacklist entry with id {entry_id}") from None
        blacklist.remove_entry(entry_id, reason, current_cause().actor)
        return self.ack(blacklist)

    @retry_on_conflict
    def record_blacklist_expiries(self, tenant_id: UUID) -> Ack[Blacklist] | None:
        """Records the expiry of every entry whose time has come; None: none had."""
        try:
            blacklist = self.load(Blacklist, blacklist_id(tenant_id))
        except NotFound:
            return None
        if not blacklist.record_expiries(self.clock()):
            return None
        return self.ack(blacklist)

    # Screening: each participant's details against the entries in force for their event.

    def screening(self, participant_id: UUID) -> ParticipantScreening | None:
        """The participant's screening record, read-only, or None if nothing stopped them."""
        try:
            return self.load(ParticipantScreening, screening_id(participant_id), readonly=True)
        except NotFound:
            return None

    @retry_on_conflict
    def screen_participant(
        self,
        tenant_id: UUID,
        event_id: UUID,
        participant_id: UUID,
        details: Mapping[str, Any],
        cause: str,
    ) -> ParticipantScreening | None:
        """Screens the participant's details now; records the decision if it changes one.

        Idempotent: the same details against the same entries record nothing again.
        Returns the participant's record as it stands (None: never stopped).
        """
        blacklist = self.blacklist(tenant_id)
        decision: Decision = CLEAR
        if blacklist is not None:
            decision = screen(details, event_id, blacklist.entries.values(), self.clock())
        try:
            record = self.load(ParticipantScreening, screening_id(participant_id))
        except NotFound:
            if decision is CLEAR:
                return None
            record = ParticipantScreening(
                tenant_id=tenant_id, participant_id=participant_id, event_id=event_id
            )
        record.record(decision, cause)
        self.commit(record)
        return record
