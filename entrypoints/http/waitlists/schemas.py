"""What the waitlist routes accept and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.waitlists.queue import Move, Priority
from domain.waitlists.waitlist import (
    OFFER_WINDOW_MAX,
    OFFER_WINDOW_MIN,
    PARTY_MAX,
    REASON_MAX,
    OnAccept,
    WhenFull,
)

PRIORITIES = [p.value for p in Priority]
ENTRY_STATES = ["waiting", "offered", "accepted", "declined", "expired", "left"]
OFFER_STATES = ["open", "accepted", "declined", "expired", "withdrawn"]


class WaitlistSettingsSchema(Schema):
    offer_window_seconds = fields.Integer(
        required=True,
        validate=validate.Range(
            int(OFFER_WINDOW_MIN.total_seconds()), int(OFFER_WINDOW_MAX.total_seconds())
        ),
        metadata={"description": "How long an offer holds its seats: 5 seconds to 30 days"},
    )
    on_accept = fields.String(
        required=True,
        validate=validate.OneOf([o.value for o in OnAccept]),
        metadata={
            "description": "approve: accepting approves at once, in the held seat; "
            "workflow: accepting starts the event's workflow, the seat held until it decides"
        },
    )
    when_full = fields.String(
        required=True,
        validate=validate.OneOf([w.value for w in WhenFull]),
        metadata={
            "description": "waitlist: a registration finding the event (or its category) "
            "full joins the waitlist; refuse: it is a 409 `event-full`"
        },
    )


class WaitlistSettingsDocumentSchema(WaitlistSettingsSchema):
    event_id = fields.UUID(required=True)
    version = fields.Integer(
        required=True, metadata={"description": "The waitlist's version (0: never changed)"}
    )


class WaitlistJoinSchema(Schema):
    participant_ids = fields.List(
        fields.UUID(),
        required=True,
        validate=validate.Length(1, PARTY_MAX),
        metadata={
            "description": "One participant, or a party (up to 20) offered its seats "
            "together or not at all; each registered for this event and category, in the "
            "workflow without a seat, and on no entry already"
        },
    )
    priority = fields.String(
        load_default=Priority.NORMAL.value,
        validate=validate.OneOf(PRIORITIES),
        metadata={"description": "VIP, HIGH, NORMAL (the default) or LOW"},
    )


class WaitlistMoveSchema(Schema):
    move = fields.String(
        required=True,
        validate=validate.OneOf([m.value for m in Move]),
        metadata={"description": "up, down, top or end: within the entry's priority"},
    )
    reason = fields.String(
        required=True,
        validate=validate.Length(1, REASON_MAX),
        metadata={"description": "Why, for the record"},
    )


class WaitlistPrioritySchema(Schema):
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    reason = fields.String(
        required=True,
        validate=validate.Length(1, REASON_MAX),
        metadata={"description": "Why, for the record"},
    )


class WaitlistLeaveSchema(Schema):
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=REASON_MAX),
        metadata={"description": "Why the entry leaves (recorded with the cancellation)"},
    )


class WaitlistOfferSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The offer id"})
    seats = fields.Integer(required=True, metadata={"description": "Seats it holds"})
    expires_at = fields.AwareDateTime(
        required=True, metadata={"description": "Its deadline: unanswered, it expires then"}
    )


class WaitlistEntrySchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The waitlist entry id"})
    event_id = fields.UUID(required=True)
    participant_ids = fields.List(fields.UUID(), required=True)
    seats = fields.Integer(required=True, metadata={"description": "Seats it waits for"})
    category = fields.String(allow_none=True, required=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    state = fields.String(
        required=True,
        validate=validate.OneOf(ENTRY_STATES),
        metadata={"description": "waiting or offered; after a command that ended it, how"},
    )
    position = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Its rank in the whole order (1: next); null unless waiting"},
    )
    position_in_category = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Its rank among its category's entries; null unless waiting"},
    )
    offer = fields.Nested(
        WaitlistOfferSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The offer holding seats for it; null: none"},
    )
    version = fields.Integer(
        required=True, metadata={"description": "The waitlist's version (the ETag)"}
    )


class WaitlistEntryQuerySchema(Schema):
    category = fields.String(metadata={"description": "Only entries of this category"})
    state = fields.String(
        validate=validate.OneOf(["waiting", "offered"]),
        metadata={"description": "Only waiting entries, or only those holding an offer"},
    )


class WaitlistEntryPageSchema(Schema):
    items = fields.List(fields.Nested(WaitlistEntrySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class WaitlistOfferQuerySchema(Schema):
    state = fields.String(
        validate=validate.OneOf(OFFER_STATES),
        metadata={"description": "Only offers in this state"},
    )


class WaitlistOfferRowSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The offer id"})
    entry_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    participant_ids = fields.List(fields.UUID(), required=True)
    seats = fields.Integer(required=True)
    category = fields.String(allow_none=True, required=True)
    offered_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(OFFER_STATES),
        metadata={"description": "open, accepted, declined, expired, or withdrawn (it left)"},
    )
    answered_at = fields.AwareDateTime(allow_none=True, required=True)
    answered_by = fields.String(allow_none=True, required=True)


class WaitlistOfferPageSchema(Schema):
    items = fields.List(fields.Nested(WaitlistOfferRowSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class WaitlistPromotionQuerySchema(Schema):
    participant_id = fields.UUID(metadata={"description": "Only this participant's entries"})


class WaitlistPromotionRowSchema(Schema):
    entry_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    participant_ids = fields.List(fields.UUID(), required=True)
    category = fields.String(allow_none=True, required=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    joined_at = fields.AwareDateTime(required=True)
    offered_at = fields.AwareDateTime(allow_none=True, required=True)
    offer_id = fields.UUID(allow_none=True, required=True)
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["waiting", "offered", "accepted", "declined", "expired", "left"]),
    )
    ended_at = fields.AwareDateTime(allow_none=True, required=True)
    ended_by = fields.String(allow_none=True, required=True)
    left_reason = fields.String(allow_none=True, required=True)


class WaitlistPromotionPageSchema(Schema):
    items = fields.List(fields.Nested(WaitlistPromotionRowSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
