"""What the auditor's API accepts (query parameters) and answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from adapters.audit.auditor import AggregateState, AuditEntry
from adapters.audit.queries import HistoryFilter
from entrypoints.http.schemas import UtcMoment, one_line

MAX_VERSION = 2**31 - 1


class HistoryQuerySchema(Schema):
    aggregate_id = fields.UUID(metadata={"description": "Only this aggregate's domain events"})
    event_type = one_line(
        500,
        1,
        "Only this type (ApiKey.Rotated) or full topic (domain.platform.apikey:ApiKey.Rotated)",
    )
    actor = one_line(
        500, 1, "Only what this actor caused: api-key:<key id>, cli:<operator> or system"
    )
    since = UtcMoment(metadata={"description": "Only domain events at or after this time"})
    until = UtcMoment(metadata={"description": "Only domain events before this time"})


class AggregateStateQuerySchema(Schema):
    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_VERSION),
        metadata={"description": "The state after this version (1 = as created)"},
    )
    at = UtcMoment(metadata={"description": "The state at this moment (give version or at)"})


class AuditEventSchema(Schema):
    type = fields.String(
        required=True, metadata={"description": "The domain event class, e.g. ApiKey.Rotated"}
    )
    topic = fields.String(
        required=True,
        metadata={
            "description": "The full topic it was stored under, e.g. "
            "domain.platform.apikey:ApiKey.Rotated (earlier domain events of a class that "
            "moved keep the topic they were stored under)"
        },
    )
    application = fields.String(required=True, metadata={"description": "Its bounded context"})
    position = fields.Integer(
        required=True, metadata={"description": "Its notification id in that application's log"}
    )
    aggregate_id = fields.UUID(required=True)
    aggregate_type = fields.String(required=True, metadata={"description": "e.g. ApiKey"})
    version = fields.Integer(required=True, metadata={"description": "The aggregate's version"})
    occurred_at = fields.AwareDateTime(required=True)
    actor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "api-key:<key id>, cli:<operator> or system"},
    )
    correlation_id = fields.String(required=True, allow_none=True)
    causation_id = fields.String(required=True, allow_none=True)
    payload = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The domain event's own attributes; secrets are [redacted]"},
    )


class AuditEventPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class AggregateStateSchema(Schema):
    aggregate_id = fields.UUID(required=True)
    aggregate_type = fields.String(required=True)
    application = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "The version shown"})
    as_of = fields.AwareDateTime(
        required=True, metadata={"description": "When the domain event making it happened"}
    )
    state = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The aggregate's public attributes; secrets are [redacted]"},
    )


AUDIT_EVENT_SCHEMA = AuditEventSchema()
AUDIT_EVENT_PAGE_SCHEMA = AuditEventPageSchema()
AGGREGATE_STATE_SCHEMA = AggregateStateSchema()


def history_filter(loaded: dict[str, Any]) -> HistoryFilter:
    return HistoryFilter(**loaded)


def audit_event(audited: AuditEntry) -> dict[str, Any]:
    """One domain event as the API, the export and the CLI show it."""
    e = audited.entry
    document: dict[str, Any] = AUDIT_EVENT_SCHEMA.dump(
        {
            "type": e.event_type,
            "topic": e.topic,
            "application": e.application,
            "position": e.position,
            "aggregate_id": e.aggregate_id,
            "aggregate_type": e.aggregate_type,
            "version": e.version,
            "occurred_at": e.occurred_at,
            "actor": e.actor,
            "correlation_id": e.correlation_id,
            "causation_id": e.causation_id,
            "payload": audited.payload,
        }
    )
    return document


def aggregate_state(state: AggregateState) -> dict[str, Any]:
    document: dict[str, Any] = AGGREGATE_STATE_SCHEMA.dump(state)
    return document
