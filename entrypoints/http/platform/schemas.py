"""Marshmallow schemas of tenants and API keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields, validate

from domain.platform.apikey import GRACE_MAX
from domain.platform.features import Feature
from domain.platform.permissions import ADMIN, Permission
from domain.platform.tiers import Tier
from entrypoints.http.schemas import WholeNumber, display_name, replay_note, shown_once

SCOPES = [ADMIN, *(p.value for p in Permission)]


KEY_STATUSES = ["active", "revoked", "expired"]


class TenantSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    features = fields.Method(
        "_features",
        metadata={"type": "array", "items": {"type": "string", "enum": [f.value for f in Feature]}},
    )
    version = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)

    def _features(self, tenant: Any) -> list[str]:
        return sorted(tenant.features)


class TenantUpdateSchema(Schema):
    name = display_name()


class ApiKeySchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    permissions = fields.List(fields.String(), required=True)
    tier = fields.String(required=True, validate=validate.OneOf(list(Tier)))
    status = fields.Method("_status", metadata={"type": "string", "enum": KEY_STATUSES})
    expires_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    rotated_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    last_used_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer(required=True)

    def _status(self, key: Any) -> str:
        if key.revoked_at is not None:
            return "revoked"
        if key.expires_at is not None and key.expires_at <= datetime.now(UTC):
            return "expired"
        return "active"


class ApiKeyIssueSchema(Schema):
    name = display_name()
    permissions = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "Scopes; ADMIN grants every permission"},
    )
    tier = fields.String(load_default=Tier.STANDARD.value, validate=validate.OneOf(list(Tier)))
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


class ApiKeyIssuedSchema(ApiKeySchema):
    secret = shown_once("The key's secret: shown only in this answer, so store it now")
    replay_note = replay_note()


class ApiKeyRotateSchema(Schema):
    grace_seconds = WholeNumber(
        load_default=86400,
        validate=validate.Range(min=0, max=int(GRACE_MAX.total_seconds())),
        metadata={"description": "How long the previous secret keeps working"},
    )


class ApiKeyRotatedSchema(Schema):
    id = fields.UUID(required=True)
    secret = shown_once("The key's new secret: shown only in this answer, so store it now")
    previous_secret_valid_until = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)
    replay_note = replay_note()


class ApiKeyPageSchema(Schema):
    items = fields.List(fields.Nested(ApiKeySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
