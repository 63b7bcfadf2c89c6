"""Replaying the stored domain events rebuilds exactly the state the commands left."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.application import project_aggregate
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from domain.platform.apikey import GRACE_MAX
from domain.platform.application import PlatformApplication
from domain.platform.features import Feature
from domain.platform.permissions import ADMIN, Permission
from domain.platform.tiers import Tier
from domain.shared.errors import DomainError

GRACE_SECONDS = int(GRACE_MAX.total_seconds())

# Mostly acceptable values, with a few that the rules must refuse without a trace.
names = st.sampled_from(["Acme", " Acme ", "Acme  Events", "Zeta", "Omega", "Zeta", ""])
scopes = st.lists(st.sampled_from([ADMIN, *Permission, "bogus"]), min_size=1, max_size=2)
tiers = st.sampled_from([*Tier, *Tier, "GOLD"])
expiries = st.sampled_from([None, None, None, 1, 3600, 7200, -60])
graces = st.sampled_from([0, 1, 60, 3600, 7200, GRACE_SECONDS, -1, GRACE_SECONDS + 1])


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class PlatformCommands(RuleBasedStateMachine):
    """Runs random tenant and key commands and compares live state with replays."""

    tenants = Bundle("tenants")
    keys = Bundle("keys")

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.app = PlatformApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}, self.clock)
        self.live: dict[uuid.UUID, Any] = {}

    def _run(self, command: Any, *args: Any) -> uuid.UUID | None:
        before = self.app.recorder.max_notification_id()
        try:
            answer = command(*args)
        except DomainError:
            # A refused command leaves no trace in the store.
            assert self.app.recorder.max_notification_id() == before
            return None
        ack = getattr(answer, "ack", answer)
        self.live[ack.aggregate_id] = ack.aggregate
        return ack.aggregate_id  # type: ignore[no-any-return]

    @initialize(target=tenants)
    def first_tenant(self) -> Any:
        return self._run(self.app.create_tenant, "First", set(Feature))

    @rule(target=tenants, name=names, features=st.sets(st.sampled_from(Feature)))
    def create_tenant(self, name: str, features: set[Feature]) -> Any:
        tenant_id = self._run(self.app.create_tenant, name, features)
        return multiple() if tenant_id is None else tenant_id

    @rule(tenant_id=tenants, name=names)
    def rename_tenant(self, tenant_id: uuid.UUID, name: str) -> None:
        self._run(self.app.rename_tenant, tenant_id, name)

    @rule(tenant_id=tenants, feature=st.sampled_from(Feature), enabled=st.booleans())
    def set_feature(self, tenant_id: uuid.UUID, feature: Feature, enabled: bool) -> None:
        self._run(self.app.set_feature, tenant_id, feature, enabled)

    @rule(
        target=keys,
        tenant_id=tenants,
        name=names,
        permissions=scopes,
        tier=tiers,
        expires_in=expiries,
    )
    def issue_key(
        self,
        tenant_id: uuid.UUID,
        name: str,
        permissions: list[str],
        tier: str,
        expires_in: int | None,
    ) -> Any:
        expires_at = None if expires_in is None else self.clock.now + timedelta(seconds=expires_in)
        key_id = self._run(self.app.issue_api_key, tenant_id, name, permissions, tier, expires_at)
        return multiple() if key_id is None else (tenant_id, key_id)

    @rule(key=keys, grace=graces, caller=st.none() | tenants)
    def rotate_key(
        self, key: tuple[uuid.UUID, uuid.UUID], grace: int, caller: uuid.UUID | None
    ) -> None:
        owner, key_id = key
        self._run(self.app.rotate_api_key, caller or owner, key_id, timedelta(seconds=grace))

    @rule(key=keys, caller=st.none() | tenants)
    def revoke_key(self, key: tuple[uuid.UUID, uuid.UUID], caller: uuid.UUID | None) -> None:
        owner, key_id = key
        self._run(self.app.revoke_api_key, caller or owner, key_id)

    @rule(seconds=st.sampled_from([1, 59, 3600, GRACE_SECONDS]))
    def time_passes(self, seconds: int) -> None:
        self.clock.now += timedelta(seconds=seconds)

    @invariant()
    def stored_events_rebuild_the_live_state(self) -> None:
        for aggregate_id, live in self.live.items():
            loaded: Any = self.app.repository.get(aggregate_id)
            replayed: Any = project_aggregate(None, self.app.events.get(aggregate_id))
            assert loaded == live
            assert replayed == live


TestReplayingStoredEventsGivesTheLiveState = PlatformCommands.TestCase
TestReplayingStoredEventsGivesTheLiveState.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None
)
