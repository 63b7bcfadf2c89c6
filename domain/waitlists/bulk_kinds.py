"""The waitlists context's bulk actions: queue participants, or take them off."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.registration.participant import Participant, ParticipantStatus
from domain.shared.bulk_kinds import BulkItem, BulkKind, Facts, recorded, text_param
from domain.shared.cause import current_cause
from domain.shared.errors import InvalidValue, NotFound, RuleViolation
from domain.waitlists.application import WaitlistedRegistration
from domain.waitlists.queue import Priority

REASON_MAX = 500


class NotOnWaitlist(RuleViolation):
    code = "not-on-waitlist"


class _WaitlistKind:
    undo_kind: str | None = None

    def __init__(self, registration: WaitlistedRegistration) -> None:
        self.registration = registration

    @property
    def batch_application(self) -> WaitlistedRegistration:
        return self.registration

    def _participant(self, item: BulkItem) -> Participant:
        participant = self.registration.participant(item.tenant_id, item.participant_id)
        if participant.event_id != item.event_id:
            raise NotFound(f"no participant with id {item.participant_id} at this event")
        return participant

    def applied(self, item: BulkItem, causation_id: str) -> bool:
        return recorded(self.registration, item.participant_id, causation_id)


class JoinWaitlist(_WaitlistKind):
    """Queues each participant (pending, no seat yet) at the end of a priority."""

    name = "join-waitlist"

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        priority = params.get("priority", Priority.NORMAL.value)
        if not isinstance(priority, str) or priority not in {p.value for p in Priority}:
            raise InvalidValue("params.priority", "must be VIP, HIGH, NORMAL or LOW")
        return {"priority": priority}

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        del params
        if facts.waitlist_entry_id is not None:
            return "already-on-waitlist"
        return None if facts.status == ParticipantStatus.PENDING.value else "not-waitlistable"

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        self._participant(item)
        self.registration.join_waitlist(
            item.tenant_id,
            item.event_id,
            [item.participant_id],
            Priority(item.params["priority"]),
            current_cause().actor,
        )
        return None  # leaving cancels the registration: that is no undo


class LeaveWaitlist(_WaitlistKind):
    """Takes each participant's entry off the waitlist (its registration is cancelled)."""

    name = "leave-waitlist"

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {"reason": text_param(params, "reason", REASON_MAX)}

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        del params
        return None if facts.waitlist_entry_id is not None else "not-on-waitlist"

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        participant = self._participant(item)
        if participant.waitlist_entry is None:
            raise NotOnWaitlist(f"the participant {item.participant_id} is on no waitlist entry")
        self.registration.leave_waitlist(
            item.tenant_id,
            item.event_id,
            participant.waitlist_entry,
            item.params.get("reason"),
            current_cause().actor,
        )
        return None


def waitlist_kinds(registration: WaitlistedRegistration) -> list[BulkKind]:
    """The waitlists context's bulk kinds, on its application."""
    return [JoinWaitlist(registration), LeaveWaitlist(registration)]
