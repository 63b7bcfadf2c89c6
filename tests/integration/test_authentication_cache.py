"""Remembered principals: changes here apply at once, changes elsewhere within the TTL."""

from __future__ import annotations

import time

from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.platform.application import PlatformApplication
from domain.platform.features import Feature


def two_processes(
    settings: Settings, ttl: float
) -> tuple[PlatformApplication, PlatformApplication]:
    env = eventstore_env(settings, PlatformApplication.name)
    return (
        PlatformApplication(env, auth_cache_seconds=ttl),
        PlatformApplication(env, auth_cache_seconds=ttl),
    )


def test_a_revocation_in_this_process_applies_at_once(any_settings: Settings) -> None:
    here, _ = two_processes(any_settings, ttl=60)
    tenant = here.create_tenant("Expo").aggregate_id
    issued = here.issue_api_key(tenant, "gate", ["check-in:scan"])
    assert here.authenticate(issued.secret) is not None

    here.revoke_api_key(tenant, issued.ack.aggregate_id)

    assert here.authenticate(issued.secret) is None


def test_a_revocation_in_another_process_applies_within_the_ttl(any_settings: Settings) -> None:
    here, elsewhere = two_processes(any_settings, ttl=0.3)
    tenant = here.create_tenant("Expo").aggregate_id
    issued = here.issue_api_key(tenant, "gate", ["check-in:scan"])
    assert here.authenticate(issued.secret) is not None

    elsewhere.revoke_api_key(tenant, issued.ack.aggregate_id)
    time.sleep(0.35)

    assert here.authenticate(issued.secret) is None


def test_a_disabled_feature_in_another_process_applies_within_the_ttl(
    any_settings: Settings,
) -> None:
    here, elsewhere = two_processes(any_settings, ttl=0.3)
    tenant = here.create_tenant("Expo").aggregate_id
    issued = here.issue_api_key(tenant, "gate", ["check-in:scan"])
    before = here.authenticate(issued.secret)
    assert before is not None
    assert Feature.WAITLIST in before.features

    elsewhere.set_feature(tenant, Feature.WAITLIST, enabled=False)
    time.sleep(0.35)

    after = here.authenticate(issued.secret)
    assert after is not None
    assert Feature.WAITLIST not in after.features


def test_with_no_ttl_every_call_reads_the_store(any_settings: Settings) -> None:
    here, elsewhere = two_processes(any_settings, ttl=0)
    tenant = here.create_tenant("Expo").aggregate_id
    issued = here.issue_api_key(tenant, "gate", ["check-in:scan"])
    assert here.authenticate(issued.secret) is not None

    elsewhere.revoke_api_key(tenant, issued.ack.aggregate_id)

    assert here.authenticate(issued.secret) is None
