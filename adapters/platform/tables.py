"""The platform's projection tables: tenants and API keys."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    String,
    Table,
    Uuid,
)

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

tenants = Table(
    "tenants",
    metadata,
    Column("tenant_id", Uuid, primary_key=True, comment="The tenant (organiser) id"),
    Column("name", String(200), nullable=False, comment="Display name"),
    Column("features", JSON, nullable=False, comment="Enabled feature flags, sorted"),
    Column("version", Integer, nullable=False, comment="Aggregate version (the ETag)"),
    Column("created_at", UtcDateTime, nullable=False, comment="When the tenant was created (UTC)"),
    Column("updated_at", UtcDateTime, nullable=False, comment="Its last change (UTC)"),
    schema=VIEWS_SCHEMA,
    comment="One row per tenant (organiser): its name and enabled feature flags",
)


api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", Uuid, primary_key=True, comment="The key id (also inside its secret)"),
    Column("tenant_id", Uuid, nullable=False, comment="Owning tenant"),
    Column("name", String(200), nullable=False, comment="What the tenant calls the key"),
    Column("permissions", JSON, nullable=False, comment="Granted scopes, ADMIN = all"),
    Column("tier", String(20), nullable=False, comment="Rate-limit tier"),
    Column(
        "status",
        String(20),
        nullable=False,
        comment="active or revoked (an expired key stays active here: compare expires_at)",
    ),
    Column("expires_at", UtcDateTime, nullable=True, comment="When it stops working; null: never"),
    Column("created_at", UtcDateTime, nullable=False, comment="When it was issued (UTC)"),
    Column("rotated_at", UtcDateTime, nullable=True, comment="Last secret rotation"),
    Column("revoked_at", UtcDateTime, nullable=True, comment="When it was revoked; null: not"),
    Column("version", Integer, nullable=False, comment="Aggregate version (the ETag)"),
    Index("api_keys_by_tenant", "tenant_id", "created_at", "key_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per API key; secrets are never stored here (nor anywhere in clear)",
)
