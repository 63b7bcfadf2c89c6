"""One registration per normalised e-mail per managed event, enforced by an index aggregate.

Its id is derived from the event and the e-mail, so two concurrent registrations
with one address both try to create the same aggregate: one save wins, the other
conflicts, is retried, and finds the address taken.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import RuleViolation
from domain.shared.topics import moved_from


class AlreadyRegistered(RuleViolation):
    code = "already-registered"
    title = "This e-mail is already registered for the event"

    def __init__(self, participant_id: UUID) -> None:
        super().__init__(f"the e-mail is already registered as participant {participant_id}")
        self.participant_id = participant_id

    def problem_members(self) -> dict[str, Any]:
        # Lets the caller go straight to the registration that holds the address.
        return {**super().problem_members(), "participant_id": str(self.participant_id)}


class EmailIndex(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Claimed(Aggregate.Created):
        """A normalised e-mail was first registered for an event."""

        event_id: UUID
        email: str  # normalised: Unicode NFKC, case-folded
        tenant_id: UUID
        participant_id: UUID

    class Reclaimed(Aggregate.Event):
        """A released e-mail was registered again, by this participant."""

        participant_id: UUID

    class Released(Aggregate.Event):
        """The e-mail's participant withdrew or was cancelled; it may register again."""

    @staticmethod
    def create_id(event_id: UUID, email: str) -> UUID:
        return email_index_id(event_id, email)

    @event(Claimed)
    def __init__(self, event_id: UUID, email: str, tenant_id: UUID, participant_id: UUID) -> None:
        self.event_id = event_id
        self.email = email
        self.tenant_id = tenant_id
        self.participant_id: UUID | None = participant_id

    def claim(self, participant_id: UUID) -> None:
        """Claims a released address again; AlreadyRegistered while someone holds it."""
        if self.participant_id is not None:
            raise AlreadyRegistered(self.participant_id)
        self._reclaimed(participant_id=participant_id)

    @event(Reclaimed)
    def _reclaimed(self, participant_id: UUID) -> None:
        self.participant_id = participant_id

    def release(self, participant_id: UUID) -> None:
        """Frees the address, if this participant holds it (after a withdrawal)."""
        if self.participant_id == participant_id:
            self._released()

    @event(Released)
    def _released(self) -> None:
        self.participant_id = None


def email_index_id(event_id: UUID, normalised_email: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"accredit:registration-email:{event_id}:{normalised_email}")


# Histories written before this module moved name its classes by the old path.
moved_from("domain.email_index", __name__)
