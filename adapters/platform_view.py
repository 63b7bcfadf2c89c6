"""Tenants and API keys as tables, written by the platform projector, read by queries."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Index,
    Integer,
    RowMapping,
    String,
    Table,
    Uuid,
    bindparam,
    select,
)

from adapters.database import VIEWS_SCHEMA, Reader, metadata
from adapters.pagination import Page, keyset, keyset_page
from adapters.sql_view import SqlView
from adapters.types import UtcDateTime
from adapters.view_changes import ViewChanges
from projections.platform import PlatformProjector

TENANT_CACHE_SIZE = 10_000

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


class SqlPlatformView(SqlView):
    """The platform projector's view changes, inside the runner's transaction."""

    tables = (tenants, api_keys)

    def tenant_created(
        self, tenant_id: UUID, name: str, features: list[str], version: int, at: datetime
    ) -> None:
        self.rows.insert(
            tenants,
            {
                "tenant_id": tenant_id,
                "name": name,
                "features": sorted(features),
                "version": version,
                "created_at": at,
                "updated_at": at,
            },
        )

    def tenant_changed(
        self, tenant_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        self.rows.update(tenants, tenant_id, {**changes, "version": version, "updated_at": at})

    def feature_switched(
        self, tenant_id: UUID, feature: str, enabled: bool, version: int, at: datetime
    ) -> None:
        current = self.rows.value(tenants, tenant_id, "features")
        features = set(current) | {feature} if enabled else set(current) - {feature}
        self.tenant_changed(tenant_id, {"features": sorted(features)}, version, at)

    def key_issued(
        self,
        key_id: UUID,
        tenant_id: UUID,
        name: str,
        permissions: list[str],
        tier: str,
        expires_at: datetime | None,
        at: datetime,
    ) -> None:
        self.rows.insert(
            api_keys,
            {
                "key_id": key_id,
                "tenant_id": tenant_id,
                "name": name,
                "permissions": permissions,
                "tier": tier,
                "status": "active",
                "expires_at": expires_at,
                "created_at": at,
                "rotated_at": None,
                "revoked_at": None,
                "version": 1,
            },
        )

    def key_changed(
        self, key_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        del at  # keys keep no updated_at; the change itself carries its time
        self.rows.update(api_keys, key_id, {**changes, "version": version})


@dataclass(frozen=True)
class TenantRow:
    id: UUID
    name: str
    features: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ApiKeyRow:
    id: UUID
    tenant_id: UUID
    name: str
    permissions: list[str]
    tier: str
    status: str
    expires_at: datetime | None
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None
    version: int
    last_used_at: datetime | None = None


class PlatformQueries:
    """Reads of the platform tables, always within one tenant."""

    def __init__(self, engine: Engine | Reader, changes: ViewChanges | None = None) -> None:
        self.reader = Reader.of(engine)
        self.changes = changes
        self._tenants: dict[UUID, tuple[int, TenantRow | None]] = {}
        self._per_thread = threading.local()

    _tenant_by_id = select(tenants).where(tenants.c.tenant_id == bindparam("tenant_id"))

    def tenant(self, tenant_id: UUID) -> TenantRow | None:
        """One tenant; served from memory until the platform projection next moves."""
        changes = self.changes
        if self.reader.is_sqlite:
            return self._tenant_unless_file_changed(tenant_id)
        if changes is None or not changes.healthy:
            return self._read_tenant(tenant_id)
        generation = changes.generation(PlatformProjector.name)
        remembered = self._tenants.get(tenant_id)
        if remembered is not None and remembered[0] == generation:
            return remembered[1]
        row = self._read_tenant(tenant_id)
        # Keep it only if no change was announced while it was read.
        if changes.healthy and changes.generation(PlatformProjector.name) == generation:
            if len(self._tenants) >= TENANT_CACHE_SIZE:
                self._tenants.clear()
            self._tenants[tenant_id] = (generation, row)
        return row

    def _tenant_unless_file_changed(self, tenant_id: UUID) -> TenantRow | None:
        # SQLite says, per connection, whether any other connection has committed to
        # the file since it last asked: a row read before is current until then.
        # Each thread keeps its own rows, since each asks on its own connection.
        remembered: dict[UUID, tuple[int, TenantRow | None]] | None = getattr(
            self._per_thread, "tenants", None
        )
        if remembered is None:
            remembered = self._per_thread.tenants = {}
        version = self.reader.data_version()
        hit = remembered.get(tenant_id)
        if hit is not None and hit[0] == version:
            return hit[1]
        row = self._read_tenant(tenant_id)
        if len(remembered) >= TENANT_CACHE_SIZE:
            remembered.clear()
        remembered[tenant_id] = (version, row)
        return row

    def _read_tenant(self, tenant_id: UUID) -> TenantRow | None:
        rows = self.reader.rows(self._tenant_by_id, {"tenant_id": tenant_id})
        return _tenant_row(rows[0]._mapping) if rows else None

    def api_key(self, tenant_id: UUID, key_id: UUID) -> ApiKeyRow | None:
        query = select(api_keys).where(
            api_keys.c.tenant_id == tenant_id, api_keys.c.key_id == key_id
        )
        rows = self.reader.rows(query)
        return _key_row(rows[0]._mapping) if rows else None

    def api_keys(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[ApiKeyRow]:
        """The tenant's keys, oldest first, a page at a time."""
        query = select(api_keys).where(api_keys.c.tenant_id == tenant_id)
        query = keyset(query, api_keys.c.created_at, api_keys.c.key_id, limit, cursor)
        rows = [_key_row(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.created_at, r.id))


def _tenant_row(mapping: RowMapping) -> TenantRow:
    values = dict(mapping)
    return TenantRow(id=values.pop("tenant_id"), **values)


def _key_row(mapping: RowMapping) -> ApiKeyRow:
    values = dict(mapping)
    return ApiKeyRow(id=values.pop("key_id"), **values)
