"""What the access log and occupancy routes accept (query parameters) and answer."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from domain.access.scan import ScanResult
from entrypoints.http.schemas import UtcMoment, one_line

RESULTS = [r.value for r in ScanResult]


class ResultsField(fields.List[str]):
    """Scan results, the parameter repeated (result=A&result=B) or comma-separated (A,B)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.String(validate=validate.OneOf(RESULTS)), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> list[str | None]:
        given = [value] if isinstance(value, str) else value
        if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
            raise ValidationError("must be scan results")
        parts = [part.strip() for v in given for part in v.split(",")]
        if len(parts) > len(RESULTS) * 2:
            raise ValidationError("names too many results")
        return super()._deserialize(parts, attr, data, **kwargs)


class AccessLogQuerySchema(Schema):
    participant_id = fields.UUID(metadata={"description": "Only this participant's scans"})
    checkpoint_id = fields.UUID(metadata={"description": "Only scans at this checkpoint"})
    zone_id = fields.UUID(metadata={"description": "Only scans into or out of this zone"})
    result = ResultsField(
        metadata={"description": "Only scans with one of these results (repeat, or A,B)"}
    )
    device_id = one_line(200, 1, "Only scans from this device (check-out: check-out exits)")
    scanned_from = UtcMoment(metadata={"description": "Only scans read at or after this time"})
    scanned_to = UtcMoment(metadata={"description": "Only scans read before this time"})


class AccessLogEntrySchema(Schema):
    version = fields.Integer(
        required=True, metadata={"description": "Its position in the event's gate log"}
    )
    event_id = fields.UUID(required=True)
    device_id = fields.String(required=True)
    nonce = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(["ENTRY", "EXIT"]))
    result = fields.String(required=True, validate=validate.OneOf(RESULTS))
    reason = fields.String(required=True)
    participant_id = fields.UUID(required=True, allow_none=True)
    credential_id = fields.UUID(required=True, allow_none=True)
    checkpoint_id = fields.UUID(
        required=True, allow_none=True, metadata={"description": "Null: a check-out exit"}
    )
    zone_id = fields.UUID(required=True, allow_none=True)
    forced = fields.Boolean(required=True)
    overridden = fields.String(
        required=True, allow_none=True, metadata={"description": "The refusal a forced scan beat"}
    )
    offline = fields.Boolean(required=True)
    scanned_at = fields.AwareDateTime(required=True)
    recorded_at = fields.AwareDateTime(required=True)
    annulled = fields.Boolean(required=True)
    annulled_at = fields.AwareDateTime(required=True, allow_none=True)
    annulment_reason = fields.String(required=True, allow_none=True)


class AccessLogPageSchema(Schema):
    items = fields.List(fields.Nested(AccessLogEntrySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class ZoneOccupancySchema(Schema):
    zone_id = fields.UUID(required=True)
    name = fields.String(required=True, allow_none=True)
    parent_id = fields.UUID(required=True, allow_none=True)
    capacity = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Null: no limit"}
    )
    inside = fields.Integer(required=True, metadata={"description": "How many are inside now"})
    peak = fields.Integer(required=True, metadata={"description": "The most inside at once"})
    peak_at = fields.AwareDateTime(
        required=True, allow_none=True, metadata={"description": "When; null: never anyone"}
    )


class OccupancySchema(Schema):
    event_id = fields.UUID(required=True)
    inside = fields.Integer(
        required=True, metadata={"description": "People inside at least one zone now"}
    )
    peak = fields.Integer(required=True)
    peak_at = fields.AwareDateTime(required=True, allow_none=True)
    zones = fields.List(fields.Nested(ZoneOccupancySchema), required=True)


class BucketQuerySchema(Schema):
    zone_id = fields.UUID(metadata={"description": "One zone's counts; none: the event's"})
    from_ = UtcMoment(
        data_key="from", metadata={"description": "Only quarter hours starting at or after it"}
    )
    to = UtcMoment(metadata={"description": "Only quarter hours starting before it"})


class BucketSchema(Schema):
    bucket_start = fields.AwareDateTime(
        required=True, metadata={"description": "Start of the quarter hour (UTC)"}
    )
    entries = fields.Integer(required=True, metadata={"description": "Moves in"})
    exits = fields.Integer(required=True, metadata={"description": "Moves out"})
    denials = fields.Integer(required=True, metadata={"description": "Scans refused"})
    annulled = fields.Integer(required=True, metadata={"description": "Scans annulled"})


class BucketPageSchema(Schema):
    items = fields.List(fields.Nested(BucketSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class InsideSchema(Schema):
    participant_id = fields.UUID(required=True)
    credential_id = fields.UUID(required=True, allow_none=True)
    since = fields.AwareDateTime(required=True)


class InsidePageSchema(Schema):
    items = fields.List(fields.Nested(InsideSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
