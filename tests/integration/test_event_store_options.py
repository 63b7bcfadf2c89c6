"""Event store options: encryption at rest, snapshots, and who caused each domain event."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import MapperDeserialisationError

from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.platform.application import PlatformApplication
from domain.shared.cause import Cause, caused_by, meta_of


def raw_states(settings: Settings) -> list[bytes]:
    """The stored payloads, read past the library, as an attacker with the files would."""
    if settings.database_url is None:
        path = settings.data_dir / "platform.events.sqlite"
        with sqlite3.connect(path) as conn:
            return [bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events")]
    with psycopg.connect(settings.database_url) as conn:
        return [bytes(r[0]) for r in conn.execute("SELECT state FROM platform_events")]


def app_for(settings: Settings) -> PlatformApplication:
    return PlatformApplication(eventstore_env(settings, PlatformApplication.name))


def test_with_a_cipher_key_payloads_are_unreadable_at_rest(any_settings: Settings) -> None:
    settings = replace(any_settings, cipher_key=AESCipher.create_key(32))
    app = app_for(settings)
    tenant = app.create_tenant("Secret Summit 2027").aggregate_id

    states = raw_states(settings)
    assert states
    assert not any(b"Secret Summit" in s for s in states)
    another_process = app_for(settings)
    assert another_process.repository.get(tenant).name == "Secret Summit 2027"


def test_without_the_cipher_key_the_history_cannot_be_read(any_settings: Settings) -> None:
    settings = replace(any_settings, cipher_key=AESCipher.create_key(32))
    tenant = app_for(settings).create_tenant("Expo").aggregate_id

    wrong = app_for(replace(settings, cipher_key=AESCipher.create_key(32)))
    with pytest.raises(MapperDeserialisationError):
        wrong.repository.get(tenant)


def test_a_long_lived_key_is_loaded_from_a_snapshot(any_settings: Settings) -> None:
    app = app_for(any_settings)
    tenant = app.create_tenant("Expo").aggregate_id
    key = app.issue_api_key(tenant, "gate", ["check-in:scan"]).ack.aggregate_id
    for _ in range(60):
        app.rotate_api_key(tenant, key, grace=timedelta(0))

    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(key))
    assert [s.originator_version for s in snapshots] == [50]
    another_process = app_for(any_settings)
    fresh = another_process.repository.get(key)
    assert fresh.version == 61
    # Ended secrets are dropped at the next rotation, not carried in every snapshot.
    assert len(fresh.secrets) <= 2


def test_every_domain_event_carries_its_actor_correlation_and_tenant(
    any_settings: Settings,
) -> None:
    app = app_for(any_settings)
    with caused_by(Cause("cli:ops", "corr-1", "req-1")):
        tenant = app.create_tenant("Expo").aggregate_id
    with caused_by(Cause("api-key:abc", "corr-2", "req-2")):
        app.issue_api_key(tenant, "gate", ["check-in:scan"])

    stored = [
        app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(start=1, limit=10)
    ]
    assert [meta_of(e) for e in stored] == [
        {
            "actor": "cli:ops",
            "correlation_id": "corr-1",
            "causation_id": "req-1",
            "tenant_id": str(tenant),
        },
        {
            "actor": "api-key:abc",
            "correlation_id": "corr-2",
            "causation_id": "req-2",
            "tenant_id": str(tenant),
        },
    ]
