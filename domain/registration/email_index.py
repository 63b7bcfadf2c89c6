"""One registration per normalised e-mail per managed event, enforced by an index aggregate.

Its id is derived from the event and the e-mail, so two concurrent registrations
with one address both try to create the same aggregate: one save wins, the other
conflicts, is retried, and finds the address taken.
"""

from __future__ import annotations

from typing import Any, ClassVar
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
    Claimed: ClassVar[type[Aggregate.Created]]
    Reclaimed: ClassVar[type[Aggregate.Event]]
    Released: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id(event_id: UUID, email: str) -> UUID:
        return email_index_id(event_id, email)

    @event("Claimed")
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

    @event("Reclaimed")
    def _reclaimed(self, participant_id: UUID) -> None:
        self.participant_id = participant_id

    def release(self, participant_id: UUID) -> None:
        """Frees the address, if this participant holds it (after a withdrawal)."""
        if self.participant_id == participant_id:
            self._released()

    @event("Released")
    def _released(self) -> None:
        self.participant_id = None


def email_index_id(event_id: UUID, normalised_email: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"accredit:registration-email:{event_id}:{normalised_email}")


# Histories written before this module moved name its classes by the old path.
moved_from("domain.email_index", __name__)
