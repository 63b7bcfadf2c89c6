"""What the credential routes accept and answer; a badge code only where it is shown once."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.access.credential import CredentialState
from entrypoints.http.schemas import one_line, replay_note, shown_once

REASON_MAX = 500
STATES = [s.value for s in CredentialState]


class CredentialSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The credential (in its code)"})
    participant_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    category = fields.String(allow_none=True, required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(STATES),
        metadata={"description": "active, suspended (until resumed) or revoked (for good)"},
    )
    eligible = fields.Boolean(
        required=True, metadata={"description": "Whether the participant is approved now"}
    )
    participant_status = fields.String(
        required=True, metadata={"description": "The participant's status it last followed"}
    )
    blocked = fields.Boolean(
        required=True,
        metadata={
            "description": "Whether screening blocked the participant (a blacklisted "
            "document): every scan answers BLOCKED"
        },
    )
    works = fields.Boolean(
        required=True,
        metadata={
            "description": "Whether its current code opens anything: active, eligible and "
            "not blocked"
        },
    )
    generation = fields.Integer(
        required=True, metadata={"description": "Which code: 1 when issued, +1 per re-issue"}
    )
    reason = fields.String(allow_none=True, required=True)
    version = fields.Integer(required=True)


class CredentialReadSchema(CredentialSchema):
    issued_at = fields.AwareDateTime(required=True)
    reissued_at = fields.AwareDateTime(allow_none=True, required=True)
    updated_at = fields.AwareDateTime(required=True)


class CredentialPageSchema(Schema):
    items = fields.List(fields.Nested(CredentialReadSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class CredentialListQuerySchema(Schema):
    state = fields.String(
        validate=validate.OneOf(STATES), metadata={"description": "Only credentials in it"}
    )


class BadgeCodeSchema(Schema):
    id = fields.UUID(required=True)
    participant_id = fields.UUID(required=True)
    generation = fields.Integer(required=True)
    badge_code = shown_once(
        "The badge code for the participant's QR code (alphanumeric mode): shown only in "
        "this answer, so hand it on now"
    )
    version = fields.Integer(required=True)
    replay_note = replay_note()


class CredentialChangeSchema(Schema):
    reason = one_line(
        REASON_MAX, description="Why, for the record", load_default=None, allow_none=True
    )
