"""What the registration API accepts and answers about participants and their steps."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from domain.registration.application import COMMENT_MAX, REASON_MAX
from domain.registration.person import EMAIL_MAX, PERSON_NAME_MAX
from domain.registration.workflow.run import BranchStatus, Outcome, StepStatus
from entrypoints.http.participant_filter import PARTICIPANT_STATUSES, ParticipantFilterSchema
from entrypoints.http.registration.event_schemas import COUNTRY_PATTERN
from entrypoints.http.schemas import category_code, one_line, patterned

ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Free text may span lines, but a NUL cannot be stored in a PostgreSQL text column.
NO_NUL_PATTERN = r"^[^\x00]*$"


def _free_text(maximum: int, description: str) -> fields.String:
    return patterned(
        NO_NUL_PATTERN,
        "must not contain NUL characters",
        maximum,
        description,
        load_default=None,
        allow_none=True,
    )


class IsoDate(fields.Date):
    """A calendar date written YYYY-MM-DD, and only so (Python also reads 20000101)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not re.fullmatch(ISO_DATE_PATTERN, value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class EventCountsSchema(Schema):
    by_status = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PARTICIPANT_STATUSES)),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Participants per status, every status listed"},
    )
    by_category = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        required=True,
        metadata={"description": "Category code -> status -> participants (nonzero only)"},
    )
    total = fields.Integer(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    seats_taken = fields.Integer(required=True, metadata={"description": "Approved participants"})


FULL_NAME = "The name as shown: first and last name, or the one name a person has"
ONE_NAME = (
    "A person with one name gives it as either name; "
    "a registration needs a first name or a last name, or both"
)


def _person_fields(*, register: bool) -> dict[str, fields.Field[Any]]:
    """Personal details a registration takes; every one optional when changing them."""
    return {
        "first_name": one_line(PERSON_NAME_MAX, 0, ONE_NAME, allow_none=True),
        "last_name": one_line(PERSON_NAME_MAX, 0, ONE_NAME, allow_none=True),
        "email": one_line(
            EMAIL_MAX, 1, "One registration per e-mail per event, in any case", required=register
        ),
        "phone": one_line(
            32,
            0,
            "6-15 digits, maybe after a + or 00; read in the participant's nationality's "
            "country unless international, and kept in E.164 (+4930123456)",
            allow_none=True,
        ),
        "date_of_birth": IsoDate(allow_none=True),
        "organisation": one_line(200, allow_none=True),
        "nationality": patterned(
            COUNTRY_PATTERN,
            "must be an ISO 3166-1 alpha-2 code",
            2,
            "ISO 3166-1 alpha-2",
            allow_none=True,
        ),
        "document_number": one_line(60, allow_none=True),
    }


ParticipantRegisterSchema = Schema.from_dict(
    {
        **_person_fields(register=True),
        "category": category_code("Required when the event has categories", allow_none=True),
    },
    name="ParticipantRegisterSchema",
)
ParticipantUpdateSchema = Schema.from_dict(
    _person_fields(register=False), name="ParticipantUpdateSchema"
)


# The list's query: the filter a bulk operation's selection takes too.
ParticipantQuerySchema = ParticipantFilterSchema


class StepCompletionSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in Outcome]))
    comment = _free_text(COMMENT_MAX, "Kept with the step for auditors")


class EndRegistrationSchema(Schema):
    reason = _free_text(REASON_MAX, "Why, for the record")


class StepSchema(Schema):
    step_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in StepStatus]))
    outcome = fields.String(allow_none=True, required=True)
    actor = fields.String(allow_none=True, required=True)
    comment = fields.String(allow_none=True, required=True)
    order = fields.Integer(
        required=True, metadata={"description": "The completion that set it (0: registration)"}
    )
    # The view knows these; a command's answer, built from the participant alone, has none.
    kind = fields.String(metadata={"description": "In reads only"})
    name = fields.String(metadata={"description": "In reads only"})
    reached_at = fields.AwareDateTime(metadata={"description": "In reads only"})
    completed_at = fields.AwareDateTime(allow_none=True, metadata={"description": "In reads only"})


class BranchSchema(Schema):
    fork = fields.String(required=True, metadata={"description": "The parallel step"})
    head = fields.String(required=True, metadata={"description": "The branch's first step"})
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in BranchStatus]))


class ParticipantSummarySchema(Schema):
    id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    category = fields.String(required=True, allow_none=True)
    first_name = fields.String(required=True, allow_none=True)
    last_name = fields.String(required=True, allow_none=True)
    full_name = fields.String(required=True, metadata={"description": FULL_NAME})
    email = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True)
    date_of_birth = fields.Date(required=True, allow_none=True)
    organisation = fields.String(required=True, allow_none=True)
    nationality = fields.String(required=True, allow_none=True)
    document_number = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(PARTICIPANT_STATUSES))
    workflow_version = fields.Integer(required=True)
    active_steps = fields.List(fields.String(), required=True)
    reason = fields.String(required=True, allow_none=True)
    survivor_id = fields.UUID(
        required=True,
        allow_none=True,
        metadata={"description": "While merged: the participant it was merged into"},
    )
    held_by = fields.UUID(
        required=True,
        allow_none=True,
        metadata={
            "description": "While held for screening review (a close blacklist match): the "
            "screening decision that held them; a reviewer releases them"
        },
    )
    blocked_by = fields.UUID(
        required=True,
        allow_none=True,
        metadata={
            "description": "While blocked by screening (a blacklist document match; their "
            "scans answer BLOCKED): the screening decision"
        },
    )
    waitlist_entry_id = fields.UUID(
        required=True,
        allow_none=True,
        metadata={
            "description": "While waitlisted (the event was full): the waitlist entry it "
            "waits in; GET /v1/events/{event_id}/waitlist/entries/{entry_id} gives its rank"
        },
    )
    blocked_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "While blocked: why"}
    )
    version = fields.Integer(required=True)
    registered_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class ParticipantSchema(ParticipantSummarySchema):
    steps = fields.List(fields.Nested(StepSchema), required=True)
    branches = fields.List(fields.Nested(BranchSchema), required=True)


class ParticipantPageSchema(Schema):
    items = fields.List(fields.Nested(ParticipantSummarySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class QueueItemSchema(Schema):
    participant_id = fields.UUID(required=True)
    first_name = fields.String(required=True, allow_none=True)
    last_name = fields.String(required=True, allow_none=True)
    full_name = fields.String(required=True, metadata={"description": FULL_NAME})
    email = fields.String(required=True)
    category = fields.String(required=True, allow_none=True)
    step_id = fields.String(required=True)
    waiting_since = fields.AwareDateTime(required=True)


class QueuePageSchema(Schema):
    items = fields.List(fields.Nested(QueueItemSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
