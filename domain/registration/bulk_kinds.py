"""The registration context's bulk actions: complete a step, cancel, restore, set a field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.registration.application import RegistrationApplication
from domain.registration.participant import ParticipantStatus
from domain.registration.person import PersonalDetails
from domain.shared.bulk_kinds import BulkItem, BulkKind, Facts, recorded, text_param
from domain.shared.errors import InvalidValue, NotFound

COMMENT_MAX = 1000
REASON_MAX = 500
OUTCOMES = ("approved", "rejected")
# Details many people share; a name, an address or a document is each person's own.
SETTABLE_FIELDS = ("organisation", "nationality")
_ENDED = {
    ParticipantStatus.REJECTED.value,
    ParticipantStatus.WITHDRAWN.value,
    ParticipantStatus.CANCELLED.value,
    ParticipantStatus.MERGED.value,
}


def _ended(facts: Facts) -> str | None:
    if facts.status == ParticipantStatus.MERGED.value:
        return "participant-merged"
    return "participant-ended" if facts.status in _ENDED else None


class _RegistrationKind:
    undo_kind: str | None = None

    def __init__(self, registration: RegistrationApplication) -> None:
        self.registration = registration

    @property
    def batch_application(self) -> RegistrationApplication:
        return self.registration

    def _own(self, item: BulkItem) -> None:
        """Refuses a participant of another event than the operation's."""
        participant = self.registration.participant(item.tenant_id, item.participant_id)
        if participant.event_id != item.event_id:
            raise NotFound(f"no participant with id {item.participant_id} at this event")

    def applied(self, item: BulkItem, causation_id: str) -> bool:
        return recorded(self.registration, item.participant_id, causation_id)


class CompleteStep(_RegistrationKind):
    """Records a step's outcome (approved or rejected) for each participant."""

    name = "complete-step"

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        step_id = params.get("step_id")
        if not isinstance(step_id, str) or not step_id.strip() or len(step_id) > 100:
            raise InvalidValue("params.step_id", "the id of a step of the event's workflow")
        outcome = params.get("outcome")
        if outcome not in OUTCOMES:
            raise InvalidValue("params.outcome", "must be approved or rejected")
        return {
            "step_id": step_id.strip(),
            "outcome": outcome,
            "comment": text_param(params, "comment", COMMENT_MAX),
        }

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        if (ended := _ended(facts)) is not None:
            return ended
        if facts.status == ParticipantStatus.WAITLISTED.value:
            return "participant-waitlisted"
        return None if params["step_id"] in facts.active_steps else "step-not-active"

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        self._own(item)
        self.registration.complete_step(
            item.tenant_id,
            item.participant_id,
            item.params["step_id"],
            item.params["outcome"],
            comment=item.params.get("comment"),
        )
        return None  # approving is not undone by rejecting


class Cancel(_RegistrationKind):
    """Cancels each participant's registration (its seat passes on); a restore undoes it."""

    name = "cancel"
    undo_kind = "restore"

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {"reason": text_param(params, "reason", REASON_MAX)}

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        del params
        return _ended(facts)

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        self._own(item)
        self.registration.cancel(item.tenant_id, item.participant_id, item.params.get("reason"))
        return {}  # the participant keeps what a restore gives back


class Restore(_RegistrationKind):
    """Restores each cancelled participant as it was before (an approved one's seat taken
    again, if one is left); it undoes a bulk cancellation."""

    name = "restore"

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if params:
            raise InvalidValue("params", "restoring takes no parameters")
        return {}

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        del params
        if facts.status == ParticipantStatus.MERGED.value:
            return "participant-merged"
        return None if facts.status == ParticipantStatus.CANCELLED.value else "not-restorable"

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        # An undo runs with the cancellation's parameters (its reason): a restore needs none.
        self._own(item)
        self.registration.restore(item.tenant_id, item.participant_id)
        return None  # cancelling again is an operation of its own


class SetField(_RegistrationKind):
    """Sets one personal detail many people share (organisation, nationality) to a value."""

    name = "set-field"
    undo_kind = "set-field"

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        field = params.get("field")
        if field not in SETTABLE_FIELDS:
            raise InvalidValue("params.field", f"must be one of {', '.join(SETTABLE_FIELDS)}")
        value = params.get("value")
        if value is not None and not isinstance(value, str):
            raise InvalidValue("params.value", "must be text, or null to clear it")
        if value is not None:
            # Checked as a registration checks it, once, rather than refused item by item.
            today = self.registration.clock().date()
            sample = {"first_name": "Check", "email": "check@example.org", field: value}
            checked = PersonalDetails.checked(today, **sample)
            value = getattr(checked, field)
        return {"field": field, "value": value}

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        del params
        return _ended(facts)

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        self._own(item)
        field = item.params["field"]
        # An undo sets back the value each participant had.
        value = item.undo["value"] if item.undo else item.params["value"]
        participant = self.registration.participant(item.tenant_id, item.participant_id)
        before = getattr(participant.details, field)
        self.registration.update_participant(item.tenant_id, item.participant_id, {field: value})
        return {"value": before}


def registration_kinds(registration: RegistrationApplication) -> list[BulkKind]:
    """The registration context's bulk kinds, on its application."""
    return [
        CompleteStep(registration),
        Cancel(registration),
        Restore(registration),
        SetField(registration),
    ]
