"""What the access API accepts and answers about an event's zones, their rules and checkpoints."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from domain.access.plan import (
    CAPACITY_MAX,
    RULES_MAX,
    WINDOWS_MAX,
    ZONE_CODE_PATTERN,
    Direction,
    ReentryPolicy,
)
from entrypoints.http.schemas import UtcMoment, WholeNumber, display_name, one_line

CODE_PATTERN = f"^{ZONE_CODE_PATTERN}$"
REENTRY = [p.value for p in ReentryPolicy]
DIRECTIONS = [d.value for d in Direction]


def _code(description: str) -> fields.String:
    def check(value: str) -> None:
        # fullmatch, because re.match lets "$" match before a trailing newline.
        if re.fullmatch(ZONE_CODE_PATTERN, value) is None:
            raise ValidationError("must be 1-40 of a-z, 0-9, - and _, starting alphanumeric")

    return fields.String(
        required=True,
        validate=[validate.Length(max=40), check],
        metadata={"pattern": CODE_PATTERN, "description": description},
    )


def _capacity(**kwargs: Any) -> WholeNumber:
    return WholeNumber(
        allow_none=True,
        validate=validate.Range(min=0, max=CAPACITY_MAX),
        metadata={"description": "How many people may be inside at once; null: no limit"},
        **kwargs,
    )


def _reentry(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.OneOf(REENTRY),
        metadata={
            "description": "SINGLE_ENTRY: once only; REENTRY_AFTER_EXIT: again after "
            "leaving; UNLIMITED: any number of entries"
        },
        **kwargs,
    )


def _parent(**kwargs: Any) -> fields.UUID:
    return fields.UUID(
        allow_none=True,
        metadata={"description": "The zone this one sits inside; null: inside no other"},
        **kwargs,
    )


def _direction(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.OneOf(DIRECTIONS),
        metadata={"description": "ENTRY: into its zone; EXIT: out of it; BOTH: either way"},
        **kwargs,
    )


class ZoneCreateSchema(Schema):
    code = _code("A short identifier, unique among the event's zones; never changes")
    name = display_name()
    capacity = _capacity()
    parent_id = _parent()
    reentry = _reentry(load_default=ReentryPolicy.REENTRY_AFTER_EXIT.value)


class ZoneUpdateSchema(Schema):
    name = one_line(200, minimum=1)
    parent_id = _parent()
    reentry = _reentry()


class ZoneCapacitySchema(Schema):
    capacity = _capacity(required=True)


class ZoneSchema(Schema):
    id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    parent_id = fields.UUID(required=True, allow_none=True)
    reentry = fields.String(required=True, validate=validate.OneOf(REENTRY))
    restricted = fields.Boolean(
        required=True,
        metadata={
            "description": "Whether the zone has rules (only the categories they name get in); "
            "false: open to every approved participant at any time"
        },
    )
    version = fields.Integer(
        required=True, metadata={"description": "The event's access plan version (the ETag)"}
    )


class ZonePageSchema(Schema):
    items = fields.List(fields.Nested(ZoneSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class TimeWindowSchema(Schema):
    starts_at = UtcMoment(required=True, metadata={"description": "Included; answered in UTC"})
    ends_at = UtcMoment(required=True, metadata={"description": "Excluded; after starts_at"})


class ZoneRuleSchema(Schema):
    category = _code("One of the event's category codes")
    windows = fields.List(
        fields.Nested(TimeWindowSchema),
        validate=validate.Length(max=WINDOWS_MAX),
        metadata={"description": "When the category may enter; empty or absent: at any time"},
    )


class ZoneRulesReplaceSchema(Schema):
    rules = fields.List(
        fields.Nested(ZoneRuleSchema),
        required=True,
        validate=validate.Length(max=RULES_MAX),
        metadata={
            "description": "One per category let in, each category once; empty: the zone is "
            "open to every approved participant at any time"
        },
    )


class ZoneRulesSchema(Schema):
    zone_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    rules = fields.List(fields.Nested(ZoneRuleSchema), required=True)
    version = fields.Integer(
        required=True, metadata={"description": "The event's access plan version (the ETag)"}
    )


class CheckpointCreateSchema(Schema):
    name = display_name()
    direction = _direction(required=True)
    zone_id = fields.UUID(
        required=True, metadata={"description": "The zone it leads into or out of"}
    )


class CheckpointUpdateSchema(Schema):
    name = one_line(200, minimum=1)
    direction = _direction()
    zone_id = fields.UUID(metadata={"description": "The zone it leads into or out of"})


class CheckpointSchema(Schema):
    id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    name = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    zone_id = fields.UUID(required=True)
    active = fields.Boolean(
        required=True, metadata={"description": "Whether it lets people through now"}
    )
    version = fields.Integer(
        required=True, metadata={"description": "The event's access plan version (the ETag)"}
    )


class CheckpointPageSchema(Schema):
    items = fields.List(fields.Nested(CheckpointSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class RemovedSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "What was removed"})
    version = fields.Integer(
        required=True, metadata={"description": "The event's access plan version (the ETag)"}
    )
