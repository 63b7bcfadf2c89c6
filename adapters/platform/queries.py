"""Reads of tenants and API keys for the HTTP API."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Engine,
    RowMapping,
    bindparam,
    select,
)

from adapters.platform.tables import api_keys, tenants
from adapters.projection.view_changes import ViewChanges
from adapters.sql.paging import Page, keyset, keyset_page
from adapters.sql.reader import Reader
from projections.platform.projector import PlatformProjector

TENANT_CACHE_SIZE = 10_000


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
