"""The API key's rules: issue, which secrets open it, rotation and revocation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.platform import key_secret
from domain.platform.apikey import GRACE_MAX, ApiKey, KeyRevoked
from domain.shared.errors import InvalidValue, RuleViolation
from domain.shared.names import NAME_MAX

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OLD, NEW, NEWER = (key_secret.digest(f"secret-{n}") for n in ("old", "new", "newer"))


def issue(
    *,
    name: str = "Gate scanner",
    permissions: list[str] | None = None,
    tier: str = "STANDARD",
    expires_at: datetime | None = None,
    now: datetime = NOW,
) -> ApiKey:
    return ApiKey.issue(
        key_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        name=name,
        permissions=["check-in:scan"] if permissions is None else permissions,
        tier=tier,
        expires_at=expires_at,
        secret_digest=OLD,
        now=now,
    )


def refused_field(**kwargs: object) -> str:
    with pytest.raises(InvalidValue) as refused:
        issue(**kwargs)  # type: ignore[arg-type]
    return refused.value.field


def test_an_issued_key_keeps_its_normalised_details() -> None:
    expiry = NOW + timedelta(days=90)
    key = issue(
        name="  Gate   scanner ",
        permissions=["kiosk:manage", "check-in:scan", "kiosk:manage"],
        tier="PREMIUM",
        expires_at=expiry,
    )

    assert key.name == "Gate scanner"
    assert key.permissions == ["check-in:scan", "kiosk:manage"]
    assert key.tier == "PREMIUM"
    assert key.expires_at == expiry
    assert not key.revoked
    assert key.rotated_at is None
    assert key.version == 1


def test_an_unknown_permission_is_refused() -> None:
    assert refused_field(permissions=["check-in:scan", "everything"]) == "permissions"


def test_a_key_without_permissions_is_refused() -> None:
    assert refused_field(permissions=[]) == "permissions"


def test_an_unknown_tier_is_refused() -> None:
    assert refused_field(tier="GOLD") == "tier"


def test_a_tier_is_case_sensitive() -> None:
    assert refused_field(tier="standard") == "tier"


def test_an_expiry_in_the_past_or_now_is_refused() -> None:
    assert refused_field(expires_at=NOW - timedelta(seconds=1)) == "expires_at"
    assert refused_field(expires_at=NOW) == "expires_at"


def test_an_expiry_without_a_timezone_is_refused() -> None:
    naive = datetime(2030, 1, 1)  # noqa: DTZ001

    assert refused_field(expires_at=naive) == "expires_at"


@pytest.mark.parametrize("name", ["", "   ", "x" * (NAME_MAX + 1)])
def test_a_blank_or_too_long_name_is_refused(name: str) -> None:
    assert refused_field(name=name) == "name"


def test_the_issued_secret_opens_the_key_and_another_does_not() -> None:
    key = issue()

    assert key.accepts(OLD, NOW)
    assert not key.accepts(NEW, NOW)


def test_an_expired_key_opens_for_no_secret() -> None:
    key = issue(expires_at=NOW + timedelta(hours=1))

    assert key.accepts(OLD, NOW + timedelta(minutes=59))
    assert not key.accepts(OLD, NOW + timedelta(hours=1))
    assert key.is_expired(NOW + timedelta(hours=1))


def test_a_revoked_key_opens_for_no_secret() -> None:
    key = issue()

    key.revoke(NOW)

    assert key.revoked
    assert key.revoked_at == NOW
    assert not key.accepts(OLD, NOW)


def test_revoking_twice_records_one_event_and_keeps_the_first_time() -> None:
    key = issue()
    key.collect_events()

    key.revoke(NOW)
    key.revoke(NOW + timedelta(hours=1))

    assert [type(e).__name__ for e in key.collect_events()] == ["Revoked"]
    assert key.revoked_at == NOW


def test_after_rotation_the_old_secret_works_until_the_grace_period_ends() -> None:
    key = issue()
    grace = timedelta(hours=1)

    key.rotate(NEW, grace, NOW)

    assert key.rotated_at == NOW
    assert key.accepts(OLD, NOW + grace - timedelta(microseconds=1))
    assert not key.accepts(OLD, NOW + grace)
    assert key.accepts(NEW, NOW + GRACE_MAX * 10)


def test_rotation_without_grace_stops_the_old_secret_at_once() -> None:
    key = issue()

    key.rotate(NEW, timedelta(0), NOW)

    assert not key.accepts(OLD, NOW)
    assert key.accepts(NEW, NOW)


def test_the_longest_grace_period_is_accepted() -> None:
    key = issue()

    key.rotate(NEW, GRACE_MAX, NOW)

    assert key.accepts(OLD, NOW + GRACE_MAX - timedelta(seconds=1))
    assert not key.accepts(OLD, NOW + GRACE_MAX)


@pytest.mark.parametrize("grace", [timedelta(seconds=-1), GRACE_MAX + timedelta(microseconds=1)])
def test_a_grace_period_out_of_bounds_is_refused(grace: timedelta) -> None:
    key = issue()
    key.collect_events()

    with pytest.raises(InvalidValue) as refused:
        key.rotate(NEW, grace, NOW)

    assert refused.value.field == "grace_seconds"
    assert key.collect_events() == []
    assert not key.accepts(NEW, NOW)


def test_rotating_a_revoked_key_is_refused() -> None:
    key = issue()
    key.revoke(NOW)
    key.collect_events()

    with pytest.raises(KeyRevoked) as refused:
        key.rotate(NEW, timedelta(hours=1), NOW)

    assert isinstance(refused.value, RuleViolation)
    assert key.collect_events() == []


def test_a_second_rotation_shortens_the_first_grace_period_but_never_extends_it() -> None:
    key = issue()
    key.rotate(NEW, timedelta(hours=1), NOW)

    key.rotate(NEWER, timedelta(days=2), NOW + timedelta(minutes=10))

    # OLD keeps its earlier end; NEW gets the new grace period; NEWER is open-ended.
    later = NOW + timedelta(hours=2)
    assert not key.accepts(OLD, later)
    assert key.accepts(NEW, later)
    assert key.accepts(NEWER, later)
    assert not key.accepts(NEW, NOW + timedelta(minutes=10, days=2))


def test_a_rotation_without_grace_ends_every_earlier_secret() -> None:
    key = issue()
    key.rotate(NEW, timedelta(days=1), NOW)

    key.rotate(NEWER, timedelta(0), NOW + timedelta(minutes=1))

    at = NOW + timedelta(minutes=1)
    assert not key.accepts(OLD, at)
    assert not key.accepts(NEW, at)
    assert key.accepts(NEWER, at)


def test_secrets_that_ended_long_ago_are_forgotten() -> None:
    key = issue()
    for n in range(5):
        key.rotate(key_secret.digest(f"s{n}"), timedelta(hours=1), NOW + GRACE_MAX * 2 * n)

    assert len(key.secrets) <= 2
