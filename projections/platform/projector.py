"""The platform read models: tenants and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.platform.apikey import ApiKey
from domain.platform.tenant import Tenant
from projections.projector import Projector, on


class PlatformView(Protocol):
    """Where the platform projector writes tenants and API keys."""

    def tenant_created(
        self, tenant_id: UUID, name: str, features: list[str], version: int, at: datetime
    ) -> None: ...

    def tenant_changed(
        self, tenant_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None: ...

    def feature_switched(
        self, tenant_id: UUID, feature: str, enabled: bool, version: int, at: datetime
    ) -> None: ...

    def key_issued(
        self,
        key_id: UUID,
        tenant_id: UUID,
        name: str,
        permissions: list[str],
        tier: str,
        expires_at: datetime | None,
        at: datetime,
    ) -> None: ...

    def key_changed(
        self, key_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None: ...


class PlatformProjector(Projector[PlatformView]):
    name = "platform"
    version = 1
    upstream = ("platform",)

    @on(Tenant.Created)
    def _tenant_created(self, e: Tenant.Created, view: PlatformView) -> None:
        view.tenant_created(e.originator_id, e.name, e.features, e.originator_version, e.timestamp)

    @on(Tenant.Renamed)
    def _tenant_renamed(self, e: Tenant.Renamed, view: PlatformView) -> None:
        view.tenant_changed(e.originator_id, {"name": e.name}, e.originator_version, e.timestamp)

    @on(Tenant.FeatureEnabled)
    def _feature_enabled(self, e: Tenant.FeatureEnabled, view: PlatformView) -> None:
        view.feature_switched(e.originator_id, e.feature, True, e.originator_version, e.timestamp)

    @on(Tenant.FeatureDisabled)
    def _feature_disabled(self, e: Tenant.FeatureDisabled, view: PlatformView) -> None:
        view.feature_switched(e.originator_id, e.feature, False, e.originator_version, e.timestamp)

    @on(ApiKey.Issued)
    def _key_issued(self, e: ApiKey.Issued, view: PlatformView) -> None:
        view.key_issued(
            e.originator_id, e.tenant_id, e.name, e.permissions, e.tier, e.expires_at, e.timestamp
        )

    @on(ApiKey.Rotated)
    def _key_rotated(self, e: ApiKey.Rotated, view: PlatformView) -> None:
        view.key_changed(
            e.originator_id, {"rotated_at": e.rotated_at}, e.originator_version, e.timestamp
        )

    @on(ApiKey.Revoked)
    def _key_revoked(self, e: ApiKey.Revoked, view: PlatformView) -> None:
        view.key_changed(
            e.originator_id,
            {"revoked_at": e.revoked_at, "status": "revoked"},
            e.originator_version,
            e.timestamp,
        )
