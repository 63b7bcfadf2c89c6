"""The platform's event store on SQLite files and on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from adapters.settings import Settings
from adapters.sql.engines import sqlalchemy_url
from adapters.sql.eventstore import eventstore_env
from domain.platform import key_secret
from domain.platform.apikey import ApiKey
from domain.platform.application import PlatformApplication
from domain.platform.features import Feature
from domain.platform.tenant import Tenant
from domain.shared.errors import ConcurrencyConflict

THREADS = 4
COMMANDS_PER_THREAD = 6


@pytest.fixture
def open_app(any_settings: Settings) -> Iterator[Callable[[], PlatformApplication]]:
    """Opens platform applications on the backend; closes them all afterwards."""
    opened: list[PlatformApplication] = []

    def open_one() -> PlatformApplication:
        app = PlatformApplication(eventstore_env(any_settings, PlatformApplication.name))
        opened.append(app)
        return app

    yield open_one
    for app in opened:
        app.close()


def test_events_survive_a_fresh_application_instance(
    open_app: Callable[[], PlatformApplication],
) -> None:
    writer = open_app()
    tenant_id = writer.create_tenant("Acme Events", [Feature.REST_API]).aggregate_id
    writer.rename_tenant(tenant_id, "Acme Festivals")
    writer.set_feature(tenant_id, Feature.WAITLIST, True)
    issued = writer.issue_api_key(tenant_id, "Gate", ["check-in:scan"])
    key_id = issued.ack.aggregate_id
    rotated = writer.rotate_api_key(tenant_id, key_id, timedelta(hours=1))
    expected_tenant = writer.load(Tenant, tenant_id)
    expected_key = writer.load(ApiKey, key_id)
    writer.close()

    reader = open_app()

    assert reader.load(Tenant, tenant_id) == expected_tenant
    assert reader.load(ApiKey, key_id) == expected_key
    assert reader.load(Tenant, tenant_id).name == "Acme Festivals"
    assert reader.load(Tenant, tenant_id).features == {"REST_API", "WAITLIST"}
    assert reader.authenticate(issued.secret) is not None
    assert reader.authenticate(rotated.secret) is not None
    assert reader.recorder.max_notification_id() == 5


def test_the_sqlite_store_is_a_file_per_application_in_the_data_dir(
    sqlite_settings: Settings,
) -> None:
    app = PlatformApplication(eventstore_env(sqlite_settings, PlatformApplication.name))
    try:
        app.create_tenant("Acme Events")
    finally:
        app.close()

    assert (sqlite_settings.data_dir / "platform.events.sqlite").is_file()


def test_the_postgres_store_writes_the_platform_events_table(pg_settings: Settings) -> None:
    app = PlatformApplication(eventstore_env(pg_settings, PlatformApplication.name))
    try:
        tenant_id = app.create_tenant("Acme Events").aggregate_id
        app.rename_tenant(tenant_id, "Acme Festivals")
    finally:
        app.close()

    engine = create_engine(sqlalchemy_url(pg_settings))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT originator_id, originator_version FROM platform_events ORDER BY 2")
            ).all()
    finally:
        engine.dispose()

    assert [(uuid.UUID(str(r[0])), r[1]) for r in rows] == [(tenant_id, 1), (tenant_id, 2)]


def rotate_concurrently(
    apps: list[PlatformApplication], tenant_id: uuid.UUID, key_id: uuid.UUID
) -> tuple[list[str], list[Exception]]:
    """Each thread rotates the key repeatedly; returns the secrets answered and the errors."""
    secrets: list[str] = []
    errors: list[Exception] = []
    start = threading.Barrier(len(apps))

    def worker(app: PlatformApplication) -> None:
        start.wait()
        for _ in range(COMMANDS_PER_THREAD):
            try:
                secrets.append(app.rotate_api_key(tenant_id, key_id, timedelta(days=1)).secret)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return secrets, errors


@pytest.mark.parametrize("shared", [True, False], ids=["one-app", "app-per-thread"])
def test_concurrent_commands_on_one_aggregate_never_lose_an_update(
    open_app: Callable[[], PlatformApplication], shared: bool
) -> None:
    first = open_app()
    tenant_id = first.create_tenant("Acme Events").aggregate_id
    key_id = first.issue_api_key(tenant_id, "Gate", ["ADMIN"]).ack.aggregate_id
    apps = [first] * THREADS if shared else [open_app() for _ in range(THREADS)]

    secrets, errors = rotate_concurrently(apps, tenant_id, key_id)

    # Under heavy contention a command may be refused after its bounded retries (a 409),
    # but never with another error, and every answered command is in the history.
    assert all(isinstance(e, ConcurrencyConflict) for e in errors), errors
    assert len(secrets) + len(errors) == THREADS * COMMANDS_PER_THREAD
    assert len(secrets) >= THREADS * COMMANDS_PER_THREAD // 2
    fresh = open_app()
    assert fresh.load(ApiKey, key_id).version == 1 + len(secrets)
    history: list[Any] = list(fresh.events.get(key_id))
    stored_digests = [e.secret_digest for e in history[1:]]
    assert sorted(stored_digests) == sorted(key_secret.digest(s) for s in secrets)
    assert all(fresh.authenticate(s) is not None for s in secrets)
