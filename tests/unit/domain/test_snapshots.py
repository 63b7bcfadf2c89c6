"""Long streams are snapshotted; what a snapshot holds must come back as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.platform.application import PlatformApplication
from domain.platform.features import Feature
from domain.platform.tenant import Tenant
from domain.waitlists.application import WaitlistedRegistration
from domain.waitlists.waitlist import OnAccept, Waitlist, WhenFull, waitlist_id


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


def test_a_waitlist_past_its_snapshot_interval_saves_and_loads_with_its_settings() -> None:
    app = WaitlistedRegistration({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    tenant_id = uuid4()
    starts_at = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    event_id = app.create_event(
        tenant_id, "Expo", starts_at, starts_at + timedelta(days=1), "UTC", capacity=1
    ).aggregate_id
    app.open_registration(tenant_id, event_id)
    app.change_waitlist_settings(
        tenant_id, event_id, timedelta(hours=3), OnAccept.WORKFLOW, WhenFull.WAITLIST
    )
    seated = app.register(tenant_id, event_id, _person(0), may_wait=True).aggregate_id
    app.complete_step(tenant_id, seated, "approval", "approved")
    for n in range(1, 110):
        app.register(tenant_id, event_id, _person(n), may_wait=True)

    snapshots = (
        app.snapshots.get(waitlist_id(event_id), desc=True, limit=1) if app.snapshots else ()
    )
    snapshot = next(iter(snapshots), None)
    loaded = app.load(Waitlist, waitlist_id(event_id))

    assert snapshot is not None
    assert snapshot.originator_version == 100
    assert len(loaded.waiting()) == 109
    assert loaded.offer_window == timedelta(hours=3)
    assert loaded.on_accept is OnAccept.WORKFLOW
    assert loaded.when_full is WhenFull.WAITLIST
    # Opened (1), then the settings changed (2): joins leave their version as it was.
    assert loaded.settings_version == 2


def test_a_waitlist_snapshot_from_before_the_settings_version_loads_with_its_opening_one() -> None:
    app = WaitlistedRegistration({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    tenant_id = uuid4()
    starts_at = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    event_id = app.create_event(
        tenant_id, "Expo", starts_at, starts_at + timedelta(days=1), "UTC", capacity=1
    ).aggregate_id
    app.open_registration(tenant_id, event_id)
    seated = app.register(tenant_id, event_id, _person(0), may_wait=True).aggregate_id
    app.complete_step(tenant_id, seated, "approval", "approved")
    app.register(tenant_id, event_id, _person(1), may_wait=True)
    app.register(tenant_id, event_id, _person(2), may_wait=True)
    waitlist = app.load(Waitlist, waitlist_id(event_id))
    # A snapshot as the class before version 2 took it: no settings version, no class version.
    snapshot = Waitlist.Snapshot.take(waitlist)
    state = dict(snapshot.state)
    del state["settings_version"]
    state.pop("class_version", None)
    old = Waitlist.Snapshot(
        originator_id=snapshot.originator_id,
        originator_version=snapshot.originator_version,
        timestamp=snapshot.timestamp,
        topic=snapshot.topic,
        state=state,
    )

    loaded = old.mutate(None)

    assert isinstance(loaded, Waitlist)
    assert (loaded.settings_version, loaded.version) == (1, waitlist.version)
    assert len(loaded.waiting()) == len(waitlist.waiting())


def _person(n: int) -> dict[str, str]:
    return {"first_name": "Ada", "last_name": f"Person{n}", "email": f"p{n}@example.org"}
