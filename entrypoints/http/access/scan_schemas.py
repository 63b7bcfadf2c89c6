"""What the scan API accepts (a scan, an offline batch, an annulment, a check-out) and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.access.scan import Passage, ScanResult
from entrypoints.http.schemas import UtcMoment

DIRECTIONS = [p.value for p in Passage]
RESULTS = [r.value for r in ScanResult]
BATCH_MAX = 1_000
TEXT_MAX = 100


def _device(**kwargs: object) -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, max=TEXT_MAX),
        metadata={"description": "The scanning device's id, as it names itself"},
        **kwargs,  # type: ignore[arg-type]
    )


def _nonce(description: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=1, max=TEXT_MAX),
        metadata={"description": description},
    )


class ScanSchema(Schema):
    badge_code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The code read from the badge (its QR code)"},
    )
    checkpoint_id = fields.UUID(required=True, metadata={"description": "Where it was scanned"})
    direction = fields.String(
        required=True,
        validate=validate.OneOf(DIRECTIONS),
        metadata={"description": "ENTRY into the checkpoint's zone, or EXIT out of it"},
    )
    device_id = _device(required=True)
    nonce = _nonce(
        "The device's id for this scan: the same nonce again gets the first answer, "
        "with no second effect"
    )
    scanned_at = UtcMoment(
        required=True,
        metadata={"description": "When the device read the badge (the validity windows' time)"},
    )
    forced = fields.Boolean(
        load_default=False,
        metadata={
            "description": "A staff override: OK over every refusal but an unknown code and "
            "a full zone; the answer names the refusal it overrode"
        },
    )


class ScanBatchSchema(Schema):
    scans = fields.List(
        fields.Nested(ScanSchema),
        required=True,
        validate=validate.Length(min=1, max=BATCH_MAX),
        metadata={"description": f"Scans collected offline, at most {BATCH_MAX}, any order"},
    )


class AnnulSchema(Schema):
    device_id = _device(required=True)
    nonce = _nonce("The nonce of the scan to annul")


class CheckOutSchema(Schema):
    nonce = _nonce("Names this check-out: asked again with it, it checks no one out twice")
    zone_id = fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "Only out of this zone (and the zones inside it); null: all"},
    )


class DecisionSchema(Schema):
    result = fields.String(
        required=True,
        validate=validate.OneOf(RESULTS),
        metadata={"description": "OK, or why the scan was refused (machine-readable)"},
    )
    reason = fields.String(required=True, metadata={"description": "The result, for people"})
    ok = fields.Boolean(required=True, metadata={"description": "Whether to let them through"})
    device_id = fields.String(required=True)
    nonce = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    checkpoint_id = fields.UUID(allow_none=True, required=True)
    zone_id = fields.UUID(
        allow_none=True, required=True, metadata={"description": "The zone of the checkpoint"}
    )
    credential_id = fields.UUID(allow_none=True, required=True)
    participant_id = fields.UUID(allow_none=True, required=True)
    entered = fields.List(
        fields.UUID(),
        required=True,
        metadata={"description": "Zones the scan put the participant into, innermost first"},
    )
    left = fields.List(
        fields.UUID(),
        required=True,
        metadata={"description": "Zones it took them out of, innermost first"},
    )
    forced = fields.Boolean(required=True)
    overridden = fields.String(
        allow_none=True,
        required=True,
        validate=validate.OneOf(RESULTS),
        metadata={"description": "For a forced scan, the refusal it overrode"},
    )
    offline = fields.Boolean(
        required=True, metadata={"description": "Uploaded later in a batch of offline scans"}
    )
    annulment = fields.Boolean(
        required=True, metadata={"description": "This answers an annulment of the scan"}
    )
    scanned_at = fields.AwareDateTime(required=True)
    recorded_at = fields.AwareDateTime(required=True)


class ScanBatchAnswerSchema(Schema):
    results = fields.List(
        fields.Nested(DecisionSchema),
        required=True,
        metadata={"description": "One decision per scan, in the order they were sent"},
    )


class CheckOutAnswerSchema(Schema):
    checked_out = fields.Integer(
        required=True, metadata={"description": "How many participants were checked out"}
    )
    exits = fields.List(
        fields.Nested(DecisionSchema),
        required=True,
        metadata={"description": "The exit recorded for each of them"},
    )
