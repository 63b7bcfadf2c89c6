"""The platform read model: what queries see once the projection has caught up."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from adapters.platform.queries import ApiKeyRow, PlatformQueries
from adapters.platform.tables import api_keys, tenants
from adapters.platform.view import SqlPlatformView
from adapters.projection.runner import ProjectionRunner
from adapters.projection.tracking import projection_tracking
from adapters.settings import Settings
from adapters.sql.engines import make_engine
from adapters.sql.paging import BadCursor, decode_cursor, encode_cursor
from adapters.sql.schema import create_tables
from domain.platform.apikey import ApiKey
from domain.platform.application import PlatformApplication
from domain.platform.features import Feature
from domain.platform.tenant import Tenant
from domain.shared.application import Position
from domain.shared.errors import DomainError
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.platform.projector import PlatformProjector
from tests.recording_positions import RecordingPositions

HOUR = timedelta(hours=1)


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    container = build(any_settings)
    yield container
    container.close()


def walk(queries: PlatformQueries, tenant_id: uuid.UUID, limit: int) -> list[list[ApiKeyRow]]:
    pages = []
    cursor = None
    while True:
        page = queries.api_keys(tenant_id, limit, cursor)
        pages.append(page.items)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def test_a_tenant_is_seen_with_its_name_features_and_version(container: Container) -> None:
    app = container.platform
    created = app.create_tenant("  Acme   Events ", [Feature.REST_API, Feature.WAITLIST])
    tenant_id = created.aggregate_id
    app.rename_tenant(tenant_id, "Acme Festivals")
    app.set_feature(tenant_id, Feature.KIOSK_MODE, True)
    last = app.set_feature(tenant_id, Feature.WAITLIST, False)

    container.catch_up()
    row = container.query(PlatformQueries).tenant(tenant_id)

    assert row is not None
    assert row.id == tenant_id
    assert row.name == "Acme Festivals"
    assert row.features == ["KIOSK_MODE", "REST_API"]
    assert row.version == last.version == 4
    assert row.created_at == created.aggregate.created_at
    assert row.updated_at == last.aggregate.updated_at
    assert row.created_at.tzinfo is not None


def test_an_unknown_tenant_is_not_seen(container: Container) -> None:
    assert container.query(PlatformQueries).tenant(uuid.uuid4()) is None


def test_a_key_is_seen_as_issued_then_rotated_then_revoked(container: Container) -> None:
    app = container.platform
    tenant_id = app.create_tenant("Acme Events").aggregate_id
    expiry = datetime.now(UTC) + timedelta(days=30)
    issued = app.issue_api_key(
        tenant_id, "Gate", ["kiosk:manage", "check-in:scan"], "PREMIUM", expiry
    )
    key_id = issued.ack.aggregate_id
    queries = container.query(PlatformQueries)

    container.catch_up()
    fresh = queries.api_key(tenant_id, key_id)
    rotated = app.rotate_api_key(tenant_id, key_id, HOUR).ack.aggregate
    container.catch_up()
    after_rotation = queries.api_key(tenant_id, key_id)
    revoked = app.revoke_api_key(tenant_id, key_id).aggregate
    container.catch_up()
    after_revocation = queries.api_key(tenant_id, key_id)

    assert fresh is not None
    assert (fresh.name, fresh.tier, fresh.status, fresh.version) == ("Gate", "PREMIUM", "active", 1)
    assert fresh.permissions == ["check-in:scan", "kiosk:manage"]
    assert fresh.expires_at == expiry
    assert fresh.created_at == issued.ack.aggregate.created_at
    assert (fresh.rotated_at, fresh.revoked_at) == (None, None)
    assert after_rotation is not None
    assert after_rotation.status == "active"
    assert after_rotation.rotated_at == rotated.rotated_at
    assert after_rotation.version == 2
    assert after_revocation is not None
    assert after_revocation.status == "revoked"
    assert after_revocation.revoked_at == revoked.revoked_at
    assert after_revocation.rotated_at == rotated.rotated_at
    assert after_revocation.version == 3


def test_pages_walk_every_key_in_order_without_gaps_or_repeats(container: Container) -> None:
    app = container.platform
    tenant_id = app.create_tenant("Acme Events").aggregate_id
    for n in range(25):
        app.issue_api_key(tenant_id, f"key {n}", ["ADMIN"])
    container.catch_up()

    pages = walk(container.query(PlatformQueries), tenant_id, limit=7)

    assert [len(p) for p in pages] == [7, 7, 7, 4]
    walked = [k for page in pages for k in page]
    assert len({k.id for k in walked}) == 25
    assert walked == sorted(walked, key=lambda k: (k.created_at, k.id))


def test_a_last_page_that_is_exactly_full_has_no_next_cursor(container: Container) -> None:
    app = container.platform
    tenant_id = app.create_tenant("Acme Events").aggregate_id
    for n in range(14):
        app.issue_api_key(tenant_id, f"key {n}", ["ADMIN"])
    container.catch_up()

    assert [len(p) for p in walk(container.query(PlatformQueries), tenant_id, limit=7)] == [7, 7]


def test_keys_issued_at_the_same_instant_are_paged_by_id(container: Container) -> None:
    tenant_id = uuid.uuid4()
    at = datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)
    key_ids = sorted(uuid.uuid4() for _ in range(10))
    with container.engine.begin() as conn:
        view = SqlPlatformView(conn)
        for key_id in key_ids:
            view.key_issued(key_id, tenant_id, "same time", ["ADMIN"], "FREE", None, at)
        view.flush()

    pages = walk(container.query(PlatformQueries), tenant_id, limit=3)

    assert [k.id for page in pages for k in page] == key_ids


def test_a_cursor_means_the_same_instant_in_any_timezone(container: Container) -> None:
    app = container.platform
    tenant_id = app.create_tenant("Acme Events").aggregate_id
    for n in range(6):
        app.issue_api_key(tenant_id, f"key {n}", ["ADMIN"])
    container.catch_up()
    queries = container.query(PlatformQueries)
    first = queries.api_keys(tenant_id, 3, None)
    assert first.next_cursor is not None
    utc_time, key_id = decode_cursor(first.next_cursor)
    india = timezone(timedelta(hours=5, minutes=30))
    shifted = datetime.fromisoformat(utc_time).astimezone(india).isoformat()

    same = queries.api_keys(tenant_id, 3, encode_cursor(shifted, key_id))

    expected = queries.api_keys(tenant_id, 3, first.next_cursor)
    assert [k.id for k in same.items] == [k.id for k in expected.items]
    assert len(expected.items) == 3


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        encode_cursor("yesterday", str(uuid.uuid4())),
        encode_cursor("2026-03-01T09:00:00+00:00"),
        encode_cursor("2026-03-01T09:00:00+00:00", "not-a-uuid"),
        encode_cursor("2026-03-01T09:00:00", str(uuid.uuid4())),
    ],
    ids=["not-base64-json", "not-a-time", "one-value", "not-a-uuid", "time-without-zone"],
)
def test_a_tampered_cursor_is_refused(container: Container, cursor: str) -> None:
    with pytest.raises(BadCursor):
        container.query(PlatformQueries).api_keys(uuid.uuid4(), 10, cursor)


def test_a_page_of_no_keys_is_refused(container: Container) -> None:
    with pytest.raises(ValueError, match="at least one"):
        container.query(PlatformQueries).api_keys(uuid.uuid4(), 0, None)


def test_a_tenant_sees_only_its_own_keys(container: Container) -> None:
    app = container.platform
    acme = app.create_tenant("Acme Events").aggregate_id
    rival = app.create_tenant("Rival Events").aggregate_id
    acme_keys = {app.issue_api_key(acme, f"a{n}", ["ADMIN"]).ack.aggregate_id for n in range(4)}
    rival_key = app.issue_api_key(rival, "r", ["ADMIN"]).ack.aggregate_id
    container.catch_up()
    queries = container.query(PlatformQueries)

    acme_pages = walk(queries, acme, limit=2)
    cursor_from_acme = queries.api_keys(acme, 1, None).next_cursor

    assert {k.id for page in acme_pages for k in page} == acme_keys
    assert queries.api_key(acme, rival_key) is None
    assert queries.api_key(rival, rival_key) is not None
    assert [k.id for k in queries.api_keys(rival, 10, cursor_from_acme).items] == [rival_key]
    assert all(k.tenant_id == rival for k in queries.api_keys(rival, 10, None).items)
    assert queries.api_keys(uuid.uuid4(), 10, None).items == []


def test_waiting_for_a_position_the_projection_has_reached_is_true(container: Container) -> None:
    ack = container.platform.create_tenant("Acme Events")
    container.catch_up()

    assert ack.position is not None
    assert container.positions.wait_for("platform", [ack.position], timeout=0)


def test_waiting_for_a_position_not_yet_reached_is_false_after_the_timeout(
    container: Container,
) -> None:
    ack = container.platform.create_tenant("Acme Events")
    assert ack.position is not None
    positions = RecordingPositions(container.reader)

    reached = positions.wait_for("platform", [ack.position], timeout=1)

    assert not reached
    assert positions.reads >= 2  # it kept looking until the timeout, not only once


def test_waiting_ends_as_soon_as_a_runner_catches_up(container: Container) -> None:
    ack = container.platform.create_tenant("Acme Events")
    assert ack.position is not None
    later = threading.Timer(0.1, container.catch_up)
    later.start()

    try:
        reached = container.positions.wait_for("platform", [ack.position], timeout=10)
    finally:
        later.join()

    assert reached
    assert container.query(PlatformQueries).tenant(ack.aggregate_id) is not None


def test_waiting_for_several_positions_in_one_log_waits_for_the_furthest(
    container: Container,
) -> None:
    app = container.platform
    first = app.create_tenant("Acme Events").position
    runner = container.projection_runners()[0]
    runner.run_batch()
    second = app.create_tenant("Rival Events").position
    assert first is not None
    assert second is not None

    assert not container.positions.wait_for("platform", [second, first], timeout=0.05)
    runner.run_batch()
    assert container.positions.wait_for("platform", [second, first], timeout=0)


def test_waiting_for_a_log_the_projection_does_not_read_times_out(
    container: Container,
) -> None:
    assert not container.positions.wait_for("platform", [Position("elsewhere", 1)], timeout=0.05)


# --- A projection is the same however it was built -------------------------------------

names = st.sampled_from(["Acme", "Zeta Events", "  Omega  ", ""])
Command = tuple[Any, ...]
commands = st.lists(
    st.one_of(
        st.tuples(st.just("create"), names),
        st.tuples(st.just("rename"), st.integers(0, 5), names),
        st.tuples(st.just("feature"), st.integers(0, 5), st.sampled_from(Feature), st.booleans()),
        st.tuples(st.just("issue"), st.integers(0, 5), st.sampled_from(["FREE", "PREMIUM"])),
        st.tuples(st.just("rotate"), st.integers(0, 9), st.sampled_from([0, 3600])),
        st.tuples(st.just("revoke"), st.integers(0, 9)),
    ),
    min_size=1,
    max_size=8,
)


class CommandRunner:
    """Turns generated commands into platform commands; refused ones are part of the test."""

    def __init__(self, app: PlatformApplication) -> None:
        self.app = app
        self.tenants: list[uuid.UUID] = []
        self.keys: list[tuple[uuid.UUID, uuid.UUID]] = []

    def run(self, command: Command) -> None:
        kind, *args = command
        with contextlib.suppress(DomainError):
            getattr(self, kind)(*args)

    def create(self, name: str) -> None:
        self.tenants.append(self.app.create_tenant(name, [Feature.REST_API]).aggregate_id)

    def rename(self, n: int, name: str) -> None:
        if self.tenants:
            self.app.rename_tenant(self.tenants[n % len(self.tenants)], name)

    def feature(self, n: int, feature: Feature, enabled: bool) -> None:
        if self.tenants:
            self.app.set_feature(self.tenants[n % len(self.tenants)], feature, enabled)

    def issue(self, n: int, tier: str) -> None:
        if self.tenants:
            tenant_id = self.tenants[n % len(self.tenants)]
            issued = self.app.issue_api_key(tenant_id, "key", ["ADMIN"], tier)
            self.keys.append((tenant_id, issued.ack.aggregate_id))

    def rotate(self, n: int, grace: int) -> None:
        if self.keys:
            self.app.rotate_api_key(*self.keys[n % len(self.keys)], timedelta(seconds=grace))

    def revoke(self, n: int) -> None:
        if self.keys:
            self.app.revoke_api_key(*self.keys[n % len(self.keys)])


def view_state(engine: Engine) -> tuple[list[Any], list[Any], list[Any]]:
    with engine.connect() as conn:
        return (
            [tuple(r) for r in conn.execute(select(tenants).order_by(tenants.c.tenant_id))],
            [tuple(r) for r in conn.execute(select(api_keys).order_by(api_keys.c.key_id))],
            [
                tuple(r)
                for r in conn.execute(
                    # This projection's rows only: the container also runs other projections.
                    select(projection_tracking)
                    .where(projection_tracking.c.projection == PlatformProjector.name)
                    .order_by(projection_tracking.c.projection)
                )
            ],
        )


def assert_view_shows_the_aggregates(container: Container, executor: CommandRunner) -> None:
    app, queries = container.platform, container.query(PlatformQueries)
    for tenant_id in executor.tenants:
        tenant, row = app.load(Tenant, tenant_id), queries.tenant(tenant_id)
        assert row is not None
        assert (row.name, row.features, row.version) == (
            tenant.name,
            sorted(tenant.features),
            tenant.version,
        )
    for tenant_id, key_id in executor.keys:
        key, key_row = app.load(ApiKey, key_id), queries.api_key(tenant_id, key_id)
        assert key_row is not None
        assert (key_row.status, key_row.rotated_at, key_row.revoked_at, key_row.version) == (
            "revoked" if key.revoked else "active",
            key.rotated_at,
            key.revoked_at,
            key.version,
        )


@pytest.fixture
def view_engines(any_settings: Settings) -> Iterator[list[Engine]]:
    """Two more, empty view databases on the same backend."""
    engines: list[Engine] = []
    created: list[str] = []
    base = any_settings.database_url
    for n in range(2):
        if base is None:
            settings_n = Settings(data_dir=any_settings.data_dir / f"view{n}", demo_tenant=False)
        else:
            parts = urlsplit(base)
            name = f"{parts.path.lstrip('/')}_view{n}"
            with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{name}"')
            created.append(name)
            settings_n = Settings(database_url=parts._replace(path=f"/{name}").geturl())
        engine = make_engine(settings_n)
        create_tables(engine)
        engines.append(engine)
    yield engines
    for engine in engines:
        engine.dispose()
    if base is not None:
        admin = urlsplit(base)._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as c:
            for name in created:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_projection_is_the_same_built_at_once_step_by_step_or_rebuilt(
    container: Container, view_engines: list[Engine], any_settings: Settings
) -> None:
    incremental_engine, rebuilt_engine = view_engines
    apps = container.applications

    def runner_on(engine: Engine) -> ProjectionRunner[Any]:
        return ProjectionRunner(engine, PlatformProjector(), SqlPlatformView, apps, batch_size=5)

    incremental = runner_on(incremental_engine)
    examples = 15 if any_settings.database_url is None else 8

    @settings(max_examples=examples, deadline=None)
    @given(commands)
    def check(generated: list[Command]) -> None:
        executor = CommandRunner(container.platform)
        for command in generated:
            executor.run(command)
            incremental.catch_up()
        container.catch_up()
        with rebuilt_engine.begin() as conn:
            for table in (tenants, api_keys, projection_tracking):
                conn.execute(table.delete())
        runner_on(rebuilt_engine).catch_up()

        at_once = view_state(container.engine)
        assert view_state(incremental_engine) == at_once
        assert view_state(rebuilt_engine) == at_once
        last = container.platform.recorder.max_notification_id() or 0
        assert at_once[2] == [("platform", "platform", last, PlatformProjector.version)]
        assert_view_shows_the_aggregates(container, executor)

    check()
