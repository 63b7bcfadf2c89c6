"""What the duplicate review routes accept and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.screening.application import COMMENT_MAX
from domain.screening.screening_settings import DuplicateScope

STATUSES = ["PENDING", "CONFIRMED", "DISMISSED"]
SCOPES = [s.value for s in DuplicateScope]
# Free text may span lines, but a NUL cannot be stored in a PostgreSQL text column.
NO_NUL_PATTERN = r"^[^\x00]*$"


class DuplicateListQuerySchema(Schema):
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={"description": "Only pairs in this status (all of them when left out)"},
    )
    event_id = fields.UUID(metadata={"description": "Only pairs with a participant of this event"})
    min_score = fields.Float(
        allow_nan=False,
        metadata={"description": "Only pairs scoring at least this (log2 odds)"},
    )


class DuplicateSummarySchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The pair (uuid5 of both ids)"})
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={"description": "PENDING (to review), CONFIRMED or DISMISSED"},
    )
    score = fields.Float(
        required=True,
        metadata={"description": "log2 odds that they are one person (0: even odds)"},
    )
    participant_ids = fields.List(fields.UUID(), required=True)
    event_ids = fields.List(
        fields.UUID(), required=True, metadata={"description": "Each participant's event"}
    )
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class DuplicatePageSchema(Schema):
    items = fields.List(fields.Nested(DuplicateSummarySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class FieldComparisonSchema(Schema):
    field = fields.String(required=True)
    level = fields.String(
        required=True,
        metadata={"description": "How the two forms agree (exact, fuzzy, …; missing: no weight)"},
    )
    weight = fields.Float(required=True, metadata={"description": "log2(m / u) of the level"})
    left = fields.Raw(
        required=True, allow_none=True, metadata={"description": "The first participant's form"}
    )
    right = fields.Raw(
        required=True, allow_none=True, metadata={"description": "The second participant's form"}
    )


class ExplanationSchema(Schema):
    total = fields.Float(required=True, metadata={"description": "prior + every weight"})
    probability = fields.Float(required=True)
    prior = fields.Float(
        required=True, metadata={"description": "log2 prior odds: falls as 1/participants"}
    )
    threshold = fields.Float(required=True)
    fields_ = fields.List(
        fields.Nested(FieldComparisonSchema), required=True, data_key="fields", attribute="fields"
    )


class PairedParticipantSchema(Schema):
    id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    details = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The personal details now (first_name, last_name, email, …)"},
    )


class DuplicateSchema(DuplicateSummarySchema):
    probability = fields.Float(required=True)
    same_event = fields.Boolean(required=True)
    participants = fields.List(fields.Nested(PairedParticipantSchema), required=True)
    explanation = fields.Nested(ExplanationSchema, required=True)


class ReviewSchema(Schema):
    comment = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=COMMENT_MAX), validate.Regexp(NO_NUL_PATTERN)],
        metadata={"description": "Kept with the decision for auditors"},
    )


class ReviewAnswerSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The pair"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES[1:]))
    fingerprint = fields.String(
        required=True,
        metadata={"description": "The records as decided on: a change to either re-opens it"},
    )
    comment = fields.String(required=True, allow_none=True)


class ScreeningSettingsSchema(Schema):
    duplicate_scope = fields.String(
        required=True,
        validate=validate.OneOf(SCOPES),
        metadata={"description": "event: pairs within one event; tenant: across its events"},
    )
