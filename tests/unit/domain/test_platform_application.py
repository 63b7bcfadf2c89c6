"""The platform application's commands on the in-memory event store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.persistence import RecordConflictError

from domain.platform import key_secret
from domain.platform.apikey import ApiKey, KeyRevoked
from domain.platform.application import PlatformApplication
from domain.platform.features import Feature
from domain.platform.permissions import Permission
from domain.platform.tenant import Tenant
from domain.platform.tiers import Tier
from domain.shared.application import CONFLICT_ATTEMPTS, Position, retry_on_conflict
from domain.shared.errors import ConcurrencyConflict, InvalidValue, NotFound, VersionMismatch

IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
HOUR = timedelta(hours=1)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> PlatformApplication:
    return PlatformApplication(IN_MEMORY, clock=clock)


@pytest.fixture
def tenant_id(app: PlatformApplication) -> uuid.UUID:
    return app.create_tenant("Acme Events", [Feature.REST_API, Feature.WEBHOOKS]).aggregate_id


def test_a_created_tenant_answers_with_its_version_and_position(app: PlatformApplication) -> None:
    ack = app.create_tenant("Acme Events")

    assert ack.version == 1
    assert ack.position == Position("platform", 1)
    assert app.tenant_exists(ack.aggregate_id)
    assert not app.tenant_exists(uuid.uuid4())


def test_a_tenant_gets_every_feature_unless_told_otherwise(app: PlatformApplication) -> None:
    ack = app.create_tenant("Acme Events")

    assert ack.aggregate.features == {f.value for f in Feature}


def test_each_command_answers_with_the_position_of_its_last_event(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    renamed = app.rename_tenant(tenant_id, "Acme Festivals")
    switched = app.set_feature(tenant_id, Feature.KIOSK_MODE, True)

    assert renamed.position == Position("platform", 2)
    assert switched.position == Position("platform", 3)
    assert switched.version == 3


def test_a_command_that_changes_nothing_records_nothing_and_has_no_position(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    ack = app.set_feature(tenant_id, Feature.REST_API, True)

    assert ack.position is None
    assert ack.version == 1


def test_commands_on_an_unknown_tenant_are_not_found(app: PlatformApplication) -> None:
    nobody = uuid.uuid4()

    with pytest.raises(NotFound):
        app.rename_tenant(nobody, "Ghost")
    with pytest.raises(NotFound):
        app.issue_api_key(nobody, "key", ["ADMIN"])


def test_a_key_id_is_not_a_tenant(app: PlatformApplication, tenant_id: uuid.UUID) -> None:
    key_id = app.issue_api_key(tenant_id, "key", ["ADMIN"]).ack.aggregate_id

    with pytest.raises(NotFound):
        app.rename_tenant(key_id, "Ghost")
    assert not app.tenant_exists(key_id)


def test_an_issued_secret_authenticates_as_the_key_of_its_tenant(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    issued = app.issue_api_key(tenant_id, "Gate", ["check-in:scan"], tier="PREMIUM")

    principal = app.authenticate(issued.secret)

    assert principal is not None
    assert principal.tenant_id == tenant_id
    assert principal.key_id == issued.ack.aggregate_id
    assert principal.permissions == {Permission.CHECK_IN_SCAN}
    assert principal.tier is Tier.PREMIUM
    assert principal.features == {Feature.REST_API, Feature.WEBHOOKS}


def test_the_secret_is_not_stored_in_any_event(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    issued = app.issue_api_key(tenant_id, "Gate", ["ADMIN"])
    rotated = app.rotate_api_key(tenant_id, issued.ack.aggregate_id, HOUR)

    stored = b"".join(n.state for n in app.recorder.select_notifications(start=1, limit=100))

    assert issued.secret.encode() not in stored
    assert rotated.secret.encode() not in stored


def test_an_admin_key_holds_every_permission(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    issued = app.issue_api_key(tenant_id, "Admin", ["ADMIN"])

    principal = app.authenticate(issued.secret)

    assert principal is not None
    assert principal.permissions == frozenset(Permission)


def test_the_principal_sees_the_tenants_current_features(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    issued = app.issue_api_key(tenant_id, "Gate", ["ADMIN"])
    app.set_feature(tenant_id, Feature.WEBHOOKS, False)

    principal = app.authenticate(issued.secret)

    assert principal is not None
    assert principal.features == {Feature.REST_API}


def test_only_a_secret_checked_lately_is_remembered_and_only_until_its_key_expires(
    clock: Clock,
) -> None:
    app = PlatformApplication(IN_MEMORY, clock=clock, auth_cache_seconds=3600)
    tenant = app.create_tenant("Acme Events").aggregate_id
    issued = app.issue_api_key(tenant, "Gate", ["ADMIN"], expires_at=clock.now + HOUR)
    assert app.remembered(issued.secret) is None

    principal = app.authenticate(issued.secret)

    assert principal is not None
    assert app.remembered(issued.secret) == principal
    assert app.remembered(key_secret.generate(issued.ack.aggregate_id)) is None
    clock.advance(HOUR)
    assert app.remembered(issued.secret) is None


@pytest.mark.parametrize("secret", ["", "acc_nonsense", "Bearer x", "é" * 64])
def test_a_malformed_secret_authenticates_nobody(app: PlatformApplication, secret: str) -> None:
    assert app.authenticate(secret) is None


def test_a_well_formed_secret_of_no_key_authenticates_nobody(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    assert app.authenticate(key_secret.generate(uuid.uuid4())) is None
    # The id of a tenant inside a secret does not make it a key.
    assert app.authenticate(key_secret.generate(tenant_id)) is None


def test_another_secret_for_an_existing_key_authenticates_nobody(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    key_id = app.issue_api_key(tenant_id, "Gate", ["ADMIN"]).ack.aggregate_id

    assert app.authenticate(key_secret.generate(key_id)) is None


def test_an_expired_key_authenticates_nobody(
    app: PlatformApplication, tenant_id: uuid.UUID, clock: Clock
) -> None:
    issued = app.issue_api_key(tenant_id, "Gate", ["ADMIN"], expires_at=clock.now + HOUR)

    clock.advance(HOUR)

    assert app.authenticate(issued.secret) is None


def test_an_expiry_in_the_past_is_refused(
    app: PlatformApplication, tenant_id: uuid.UUID, clock: Clock
) -> None:
    with pytest.raises(InvalidValue) as refused:
        app.issue_api_key(tenant_id, "Gate", ["ADMIN"], expires_at=clock.now - HOUR)

    assert refused.value.field == "expires_at"


def test_a_revoked_key_authenticates_nobody(app: PlatformApplication, tenant_id: uuid.UUID) -> None:
    issued = app.issue_api_key(tenant_id, "Gate", ["ADMIN"])

    revoked = app.revoke_api_key(tenant_id, issued.ack.aggregate_id)

    assert revoked.version == 2
    assert app.authenticate(issued.secret) is None


def test_revoking_twice_changes_nothing_the_second_time(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    key_id = app.issue_api_key(tenant_id, "Gate", ["ADMIN"]).ack.aggregate_id
    app.revoke_api_key(tenant_id, key_id)

    again = app.revoke_api_key(tenant_id, key_id)

    assert again.position is None
    assert again.version == 2


def test_after_rotation_both_secrets_work_until_the_grace_period_ends(
    app: PlatformApplication, tenant_id: uuid.UUID, clock: Clock
) -> None:
    issued = app.issue_api_key(tenant_id, "Gate", ["ADMIN"])
    key_id = issued.ack.aggregate_id

    rotated = app.rotate_api_key(tenant_id, key_id, HOUR)

    assert rotated.secret != issued.secret
    assert key_secret.key_id_of(rotated.secret) == key_id
    assert rotated.previous_secret_valid_until == clock.now + HOUR
    assert app.authenticate(issued.secret) is not None
    assert app.authenticate(rotated.secret) is not None
    clock.advance(HOUR)
    assert app.authenticate(issued.secret) is None
    assert app.authenticate(rotated.secret) is not None


def test_rotating_a_revoked_key_is_refused(app: PlatformApplication, tenant_id: uuid.UUID) -> None:
    key_id = app.issue_api_key(tenant_id, "Gate", ["ADMIN"]).ack.aggregate_id
    app.revoke_api_key(tenant_id, key_id)

    with pytest.raises(KeyRevoked):
        app.rotate_api_key(tenant_id, key_id, HOUR)


def test_another_tenants_key_cannot_be_rotated_or_revoked(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    issued = app.issue_api_key(tenant_id, "Gate", ["ADMIN"])
    key_id = issued.ack.aggregate_id
    intruder = app.create_tenant("Intruder Ltd").aggregate_id

    with pytest.raises(NotFound):
        app.rotate_api_key(intruder, key_id, HOUR)
    with pytest.raises(NotFound):
        app.revoke_api_key(intruder, key_id)

    assert app.load(ApiKey, key_id).version == 1
    assert app.authenticate(issued.secret) is not None


def test_a_tenant_id_is_not_a_key(app: PlatformApplication, tenant_id: uuid.UUID) -> None:
    with pytest.raises(NotFound):
        app.revoke_api_key(tenant_id, tenant_id)


def test_a_command_for_another_version_than_the_current_one_is_refused(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    key_id = app.issue_api_key(tenant_id, "Gate", ["ADMIN"]).ack.aggregate_id

    with pytest.raises(VersionMismatch) as renamed:
        app.rename_tenant(tenant_id, "Acme Festivals", expected_version=2)
    with pytest.raises(VersionMismatch) as rotated:
        app.rotate_api_key(tenant_id, key_id, HOUR, expected_version=0)
    with pytest.raises(VersionMismatch):
        app.revoke_api_key(tenant_id, key_id, expected_version=2)

    assert (renamed.value.expected, renamed.value.actual) == (2, 1)
    assert (rotated.value.expected, rotated.value.actual) == (0, 1)
    assert app.load(Tenant, tenant_id).name == "Acme Events"
    assert app.load(ApiKey, key_id).version == 1


def test_a_command_for_the_current_version_goes_ahead(
    app: PlatformApplication, tenant_id: uuid.UUID
) -> None:
    key_id = app.issue_api_key(tenant_id, "Gate", ["ADMIN"]).ack.aggregate_id

    renamed = app.rename_tenant(tenant_id, "Acme Festivals", expected_version=1)
    rotated = app.rotate_api_key(tenant_id, key_id, HOUR, expected_version=1)
    revoked = app.revoke_api_key(tenant_id, key_id, expected_version=2)

    assert (renamed.version, rotated.ack.version, revoked.version) == (2, 2, 3)


class MeddlingClock(Clock):
    """A clock that, while a command runs, lets a concurrent writer change the key first."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times
        self.app: PlatformApplication | None = None
        self.key: tuple[uuid.UUID, uuid.UUID] | None = None
        self._busy = False

    def __call__(self) -> datetime:
        if self.app and self.key and self.times > 0 and not self._busy:
            self.times -= 1
            self._busy = True
            try:
                self.app.rotate_api_key(*self.key, HOUR)
            finally:
                self._busy = False
        return self.now


def meddled_app(times: int) -> tuple[PlatformApplication, MeddlingClock, uuid.UUID, uuid.UUID]:
    clock = MeddlingClock(times)
    app = PlatformApplication(IN_MEMORY, clock=clock)
    tenant_id = app.create_tenant("Acme Events").aggregate_id
    key_id = app.issue_api_key(tenant_id, "Gate", ["ADMIN"]).ack.aggregate_id
    clock.app, clock.key = app, (tenant_id, key_id)
    return app, clock, tenant_id, key_id


def test_a_command_that_loses_a_race_is_run_again_on_the_new_state() -> None:
    app, _, tenant_id, key_id = meddled_app(times=CONFLICT_ATTEMPTS - 1)

    rotated = app.rotate_api_key(tenant_id, key_id, HOUR)

    # Every concurrent rotation was kept, and ours came after them.
    assert rotated.ack.version == 1 + CONFLICT_ATTEMPTS
    assert app.load(ApiKey, key_id).version == 1 + CONFLICT_ATTEMPTS
    assert app.authenticate(rotated.secret) is not None


def test_a_command_that_keeps_losing_races_gives_up_with_a_conflict() -> None:
    app, _, tenant_id, key_id = meddled_app(times=CONFLICT_ATTEMPTS)

    with pytest.raises(ConcurrencyConflict):
        app.rotate_api_key(tenant_id, key_id, HOUR)

    # Only the concurrent writer's rotations were saved.
    assert app.load(ApiKey, key_id).version == 1 + CONFLICT_ATTEMPTS


class HeardConflicts:
    """An application's conflict observer that remembers what it was told."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, str, str]] = []

    def retried(self, application: str, command: str) -> None:
        self.heard.append(("retried", application, command))

    def refused(self, application: str, command: str) -> None:
        self.heard.append(("refused", application, command))


def test_the_applications_observer_hears_of_each_retry_and_of_the_refusal() -> None:
    app, _, tenant_id, key_id = meddled_app(times=CONFLICT_ATTEMPTS)
    app.conflicts = observer = HeardConflicts()

    with pytest.raises(ConcurrencyConflict):
        app.rotate_api_key(tenant_id, key_id, HOUR)

    retry = ("retried", "platform", "rotate_api_key")
    refusal = ("refused", "platform", "rotate_api_key")
    assert observer.heard == [retry] * (CONFLICT_ATTEMPTS - 1) + [refusal]


def test_conflicts_are_retried_a_bounded_number_of_times() -> None:
    calls: list[int] = []

    @retry_on_conflict
    def always_conflicts(n: int) -> int:
        calls.append(n)
        raise RecordConflictError

    with pytest.raises(ConcurrencyConflict):
        always_conflicts(7)

    assert calls == [7] * CONFLICT_ATTEMPTS


def test_a_retried_command_answers_with_its_result_once_it_succeeds() -> None:
    calls: list[int] = []

    @retry_on_conflict
    def conflicts_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RecordConflictError
        return "done"

    assert conflicts_twice() == "done"
    assert len(calls) == 3


def test_errors_other_than_conflicts_are_not_retried() -> None:
    calls: list[int] = []

    @retry_on_conflict
    def refused() -> None:
        calls.append(1)
        raise NotFound("no such thing")

    with pytest.raises(NotFound):
        refused()

    assert len(calls) == 1
