"""What the registration API accepts and answers about managed events and their workflows."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from domain.registration.managed_event import CAPACITY_MAX, CATEGORIES_MAX
from domain.registration.workflow.definition import MAX_STEPS, JoinMode, RejectAction, StepKind
from entrypoints.http.schemas import (
    STEP_ID_PATTERN,
    UtcMoment,
    WholeNumber,
    category_code,
    display_name,
    one_line,
    patterned,
)

REGISTRATION_STATES = ["draft", "open", "closed"]
# IANA names: Europe/Paris, America/Port-au-Prince, Etc/GMT+5.
TIME_ZONE_PATTERN = r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"


def _capacity(description: str) -> WholeNumber:
    return WholeNumber(
        allow_none=True,
        validate=validate.Range(min=0, max=CAPACITY_MAX),
        metadata={"description": description},
    )


# The workflow's JSON shape. The domain checks definitions as a whole and reports every
# problem at once, so the body takes any object and the shape is documented here; the
# document claims no rule the domain does not enforce.
_STEP_ID = {"type": "string", "pattern": STEP_ID_PATTERN}
WORKFLOW_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Steps from `start` to an `end` step. Work steps (every kind but "
    "parallel, join and end) take `next` and `on_reject`; a `parallel` step forks into "
    "`branches` that all reach its `join`; a `join` takes `mode` (ALL, ANY or N_OF_M with "
    "`required`) and `next`.",
    "required": ["start", "steps"],
    "additionalProperties": False,
    "properties": {
        "start": _STEP_ID,
        "steps": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_STEPS,
            "items": {
                "type": "object",
                "required": ["id", "kind", "name"],
                "additionalProperties": False,
                "properties": {
                    "id": _STEP_ID,
                    "kind": {"type": "string", "enum": [k.value for k in StepKind]},
                    "name": {"type": "string", "minLength": 1},
                    "next": _STEP_ID,
                    "on_reject": {"type": "string", "enum": [a.value for a in RejectAction]},
                    "branches": {
                        "type": "array",
                        "items": _STEP_ID,
                        "minItems": 2,
                        "maxItems": MAX_STEPS,
                    },
                    "join": _STEP_ID,
                    "mode": {"type": "string", "enum": [m.value for m in JoinMode]},
                    "required": {"type": "integer", "minimum": 1},
                },
            },
        },
    },
}


class WorkflowField(fields.Field[dict[str, Any]]):
    """A workflow definition: any JSON object here, checked as a whole by the domain."""

    default_error_messages = {"invalid": "must be a JSON object"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata=WORKFLOW_JSON_SCHEMA, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        return value


class CategoryInputSchema(Schema):
    code = category_code(required=True)
    name = display_name()
    capacity = _capacity("Seats for this category; null or absent: no own limit")


class CategorySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    capacity = fields.Integer(required=True, allow_none=True)


def _event_fields(*, create: bool) -> dict[str, fields.Field[Any]]:
    """The fields a new event takes; every one optional when changing an event."""
    return {
        "name": one_line(200, minimum=1, required=create),
        "starts_at": UtcMoment(
            required=create, metadata={"description": "With its offset; answered in UTC"}
        ),
        "ends_at": UtcMoment(required=create, metadata={"description": "After starts_at"}),
        "time_zone": patterned(
            TIME_ZONE_PATTERN,
            "must be an IANA time zone name, like Europe/Paris",
            64,
            "IANA name, e.g. Europe/Paris",
            required=create,
        ),
        "venue": one_line(200, allow_none=True),
        "country": patterned(
            COUNTRY_PATTERN,
            "must be an ISO 3166-1 alpha-2 code",
            2,
            "ISO 3166-1 alpha-2 country it takes place in; a participant's national phone "
            "number is read in it when their nationality is not given",
            allow_none=True,
        ),
        "capacity": _capacity("Seats in all; null: no limit"),
        "categories": fields.List(
            fields.Nested(CategoryInputSchema),
            validate=validate.Length(max=CATEGORIES_MAX),
            metadata={
                "description": "A participant chooses one when the event has any; "
                "changing them never removes one"
            },
        ),
    }


EventCreateSchema = Schema.from_dict(
    {
        **_event_fields(create=True),
        "workflow": WorkflowField(),
    },
    name="EventCreateSchema",
)
EventUpdateSchema = Schema.from_dict(_event_fields(create=False), name="EventUpdateSchema")


class EventSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    time_zone = fields.String(required=True)
    venue = fields.String(required=True, allow_none=True)
    country = fields.String(required=True, allow_none=True)
    capacity = fields.Integer(required=True, allow_none=True)
    categories = fields.List(fields.Nested(CategorySchema), required=True)
    registration = fields.String(
        required=True,
        validate=validate.OneOf(REGISTRATION_STATES),
        metadata={"description": "draft, then open, then closed (and open again if reopened)"},
    )
    workflow_version = fields.Integer(
        required=True, metadata={"description": "The version new registrations follow"}
    )
    version = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class EventPageSchema(Schema):
    items = fields.List(fields.Nested(EventSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class WorkflowPublishSchema(Schema):
    workflow = WorkflowField(required=True)


class WorkflowQuerySchema(Schema):
    version = fields.Integer(
        strict=False,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "A published version to read; the current one if left out"},
    )


class WorkflowDocumentSchema(Schema):
    event_id = fields.UUID(required=True)
    workflow_version = fields.Integer(required=True)
    workflow = WorkflowField(required=True)
    version = fields.Integer(required=True, metadata={"description": "The event's version"})
