"""What the bulk operation routes accept and answer."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from domain.operations.bulk import ITEMS_MAX, ItemResult, OperationState, Relation
from entrypoints.http.participant_filter import ParticipantFilterSchema

STATES = [s.value for s in OperationState]
RESULTS = ["pending", *(r.value for r in ItemResult)]
KIND_MAX = 64


class SelectionSchema(Schema):
    participant_ids = fields.List(
        fields.UUID(),
        validate=validate.Length(1, ITEMS_MAX),
        metadata={
            "description": "These participants of the event, in this order (repeats count "
            "once); up to 100,000, as the 1 MiB body allows (about 26,000)"
        },
    )
    filter = fields.Nested(
        ParticipantFilterSchema,
        metadata={
            "description": "The event's participants matching it when the operation starts, "
            "as the participants list filters them (GET /v1/events/{event_id}/participants); "
            "{} selects them all. At most 100,000"
        },
    )

    @validates_schema
    def _one_of_them(self, data: dict[str, Any], **kwargs: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give participant_ids or filter, one of them", "selection")


def _kind() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(1, KIND_MAX),
        metadata={
            "description": "What to do to each participant: complete-step, cancel, "
            "set-field, suspend-credential, resume-credential, revoke-credential, "
            "reissue-credential, join-waitlist, leave-waitlist or restore (a cancelled "
            "participant back as it was; the undo of cancel)"
        },
    )


def _params() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={
            "description": "The kind's parameters: complete-step takes step_id, outcome "
            "(approved or rejected) and comment; cancel takes reason; set-field takes field "
            "(organisation or nationality) and value (null clears it); the credential kinds "
            "take reason; join-waitlist takes priority; leave-waitlist takes reason; "
            "restore takes none"
        },
    )


class PreflightRequestSchema(Schema):
    kind = _kind()
    params = _params()
    selection = fields.Nested(SelectionSchema, required=True)


class BulkRequestSchema(PreflightRequestSchema):
    dry_run = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: each item's command is checked and nothing is changed; the "
            "items say what each would answer"
        },
    )


class IneligibleSchema(Schema):
    participant_id = fields.UUID(required=True)
    reason = fields.String(
        required=True,
        metadata={
            "description": "The problem code the command would answer (step-not-active, "
            "participant-ended, credential-state, not-found, ...)"
        },
    )


class PreflightSchema(Schema):
    selected = fields.Integer(
        required=True, metadata={"description": "Participants the selection names now"}
    )
    eligible = fields.Integer(
        required=True, metadata={"description": "Those the command would accept now"}
    )
    ineligible = fields.List(
        fields.Nested(IneligibleSchema),
        required=True,
        metadata={"description": "The others, in selection order, each with why"},
    )


def _link(description: str) -> fields.String:
    return fields.String(
        required=True,
        allow_none=True,
        metadata={"description": description, "format": "uri-reference"},
    )


class BulkLinksSchema(Schema):
    items = _link("The operation's items, each with its result")
    cancel = _link("POST it to stop the operation; null once it has ended")
    retry = _link("POST it to run the refused items again; null unless it ended with refusals")
    undo = _link("POST it to compensate the applied items; null where there is none to undo")


def _in_reads(description: str) -> str:
    return f"{description}; in reads only (not in a command's answer)"


class BulkOperationSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The bulk operation id"})
    event_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    params = fields.Dict(
        keys=fields.String(), required=True, metadata={"description": "As the kind keeps them"}
    )
    dry_run = fields.Boolean(required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(STATES),
        metadata={
            "description": "QUEUED, RUNNING, then COMPLETED, COMPLETED_WITH_ERRORS (some "
            "refused), CANCELLED or FAILED (its selection could not be resolved)"
        },
    )
    total = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Items in all; null until the selection is resolved"},
    )
    done = fields.Integer(required=True, metadata={"description": "Items with a result"})
    ok = fields.Integer(required=True, metadata={"description": "Applied (dry run: would be)"})
    refused = fields.Integer(required=True, metadata={"description": "Refused by the command"})
    skipped = fields.Integer(required=True, metadata={"description": "Not tried (cancelled)"})
    remaining = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Items without a result; null until the total is known"},
    )
    cancel_requested = fields.Boolean(required=True)
    source_id = fields.UUID(
        required=True,
        allow_none=True,
        metadata={"description": "A retry or an undo: the operation it follows"},
    )
    relation = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf([r.value for r in Relation]),
        metadata={"description": "retry or undo of source_id; null for a first operation"},
    )
    reason = fields.String(required=True, allow_none=True, metadata={"description": "FAILED: why"})
    requested_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True, metadata={"description": "Its last change"})
    started_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": _in_reads("When its items were selected")}
    )
    ended_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": _in_reads("When it ended")}
    )
    items_per_second = fields.Float(
        allow_none=True,
        metadata={
            "description": _in_reads("Items done per second since it started; null before any")
        },
    )
    estimated_end_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": _in_reads("When it would end at that rate; null unless running")},
    )
    links = fields.Nested(BulkLinksSchema, required=True)
    version = fields.Integer(required=True, metadata={"description": "The ETag"})


class BulkOperationPageSchema(Schema):
    items = fields.List(fields.Nested(BulkOperationSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class BulkOperationQuerySchema(Schema):
    event_id = fields.UUID(metadata={"description": "Only the operations of this event"})
    state = fields.String(
        validate=validate.OneOf(STATES), metadata={"description": "Only those in this state"}
    )


class BulkItemSchema(Schema):
    index = fields.Integer(required=True, metadata={"description": "Its place in the operation"})
    participant_id = fields.UUID(required=True)
    result = fields.String(
        required=True,
        validate=validate.OneOf(RESULTS),
        metadata={"description": "pending until its command ran, then ok, refused or skipped"},
    )
    problem = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "refused: the problem type the command answered"},
    )
    detail = fields.String(
        required=True, allow_none=True, metadata={"description": "refused or skipped: why"}
    )
    done_at = fields.AwareDateTime(required=True, allow_none=True)


class BulkItemPageSchema(Schema):
    items = fields.List(fields.Nested(BulkItemSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class BulkItemQuerySchema(Schema):
    result = fields.String(
        validate=validate.OneOf(RESULTS), metadata={"description": "Only items with this result"}
    )
