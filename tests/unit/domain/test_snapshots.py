"""Long streams are snapshotted; what a snapshot holds must come back as it was."""

from __future__ import annotations

from domain.platform.application import PlatformApplication
from domain.platform.features import Feature
from domain.platform.tenant import Tenant


def test_a_tenant_past_its_snapshot_interval_saves_and_loads_with_its_features() -> None:
    app = PlatformApplication()
    tenant_id = app.create_tenant("Name 0", [Feature.WAITLIST, Feature.REST_API]).aggregate_id
    for n in range(1, 60):
        app.rename_tenant(tenant_id, f"Name {n}")

    snapshot = next(app.snapshots.get(tenant_id, desc=True, limit=1)) if app.snapshots else None
    fresh = app.repository.get(tenant_id, version=55)

    assert snapshot is not None
    assert snapshot.originator_version == 50
    assert isinstance(fresh, Tenant)
    assert (fresh.name, fresh.features) == ("Name 54", {"WAITLIST", "REST_API"})
