"""Tenants and API keys as tables, written by the platform projector."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.platform.tables import api_keys, tenants
from adapters.projection.sql_view import SqlView


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
