"""What the merge routes accept and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.registration.merge import MERGED_FIELDS, Source

SOURCES = [s.value for s in Source]
STATUSES = ["merged", "unmerged"]


class MergeRequestSchema(Schema):
    absorbed_id = fields.UUID(
        required=True,
        metadata={"description": "The participant to merge into this one (same event)"},
    )
    fields_ = fields.Dict(
        data_key="fields",
        attribute="fields",
        keys=fields.String(validate=validate.OneOf(MERGED_FIELDS)),
        values=fields.String(validate=validate.OneOf(SOURCES)),
        load_default=dict,
        metadata={
            "description": "Whose value each personal detail keeps: survivor or absorbed. "
            "A detail not named keeps the survivor's, or takes the absorbed's where the "
            "survivor has none"
        },
    )


class MergeQuerySchema(Schema):
    participant_id = fields.UUID(
        metadata={"description": "Only merges with this participant on either side"}
    )
    event_id = fields.UUID(metadata={"description": "Only merges of this event's participants"})


class MergeSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The merge id"})
    event_id = fields.UUID(required=True)
    survivor_id = fields.UUID(
        required=True, metadata={"description": "The participant that stands for the person"}
    )
    absorbed_id = fields.UUID(
        required=True,
        metadata={"description": "The participant merged into it; it refuses commands"},
    )
    chosen = fields.Dict(
        keys=fields.String(validate=validate.OneOf(MERGED_FIELDS)),
        values=fields.String(validate=validate.OneOf(SOURCES)),
        required=True,
        metadata={"description": "Whose value each personal detail took, every one"},
    )
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={"description": "merged, or unmerged (both participants as before)"},
    )
    merged_at = fields.AwareDateTime(required=True)
    unmerged_at = fields.AwareDateTime(required=True, allow_none=True)
    version = fields.Integer(required=True)


class MergeReadSchema(MergeSchema):
    merged_by = fields.String(
        required=True, allow_none=True, metadata={"description": "Who merged (api-key:<id>)"}
    )
    unmerged_by = fields.String(required=True, allow_none=True)


class MergePageSchema(Schema):
    items = fields.List(fields.Nested(MergeReadSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
