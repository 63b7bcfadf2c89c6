"""Which participants of an event: the filter the participants list and bulk selections share."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.registration.participant import ParticipantStatus
from entrypoints.http.schemas import STEP_ID_PATTERN, category_code, one_line, patterned

PARTICIPANT_STATUSES = [s.value for s in ParticipantStatus]


class ParticipantFilterSchema(Schema):
    status = fields.String(validate=validate.OneOf(PARTICIPANT_STATUSES))
    category = category_code()
    step = patterned(
        STEP_ID_PATTERN, "must be a step id", 64, "Only participants for whom this step is active"
    )
    search = one_line(100, 1, "Part of the name or e-mail, in any case")
    screening = fields.String(
        validate=validate.OneOf(["held", "blocked"]),
        metadata={
            "description": "held: only those held for screening review; blocked: only those "
            "screening blocked"
        },
    )
