"""The projection runner: batches, one transaction per batch, exactly once, on both backends."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from eventsourcing.domain import Aggregate, event
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Uuid,
    delete,
    func,
    select,
)
from sqlalchemy import (
    event as sa_event,
)

from adapters.platform.queries import PlatformQueries
from adapters.platform.tables import api_keys, tenants
from adapters.platform.view import SqlPlatformView
from adapters.projection.failures import ProjectionFailed, failures
from adapters.projection.runner import ProjectionRunner
from adapters.projection.tracking import Positions, projection_tracking
from adapters.settings import Settings
from adapters.sql.engines import make_engine
from domain.platform.apikey import ApiKey
from domain.platform.application import PlatformApplication
from domain.platform.features import Feature
from domain.platform.tenant import Tenant
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.platform.projector import PlatformProjector

# Every view change the runner makes, logged in the same transaction as the change.
log_metadata = MetaData()
view_changes = Table(
    "test_view_changes",
    log_metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("change", String(40), nullable=False),
    Column("aggregate_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
)


class LoggingView(SqlPlatformView):
    """The real view, which also logs each change so tests can count them."""

    def _log(self, change: str, aggregate_id: uuid.UUID, version: int) -> None:
        self.conn.execute(
            view_changes.insert().values(change=change, aggregate_id=aggregate_id, version=version)
        )

    def tenant_created(
        self, tenant_id: uuid.UUID, name: str, features: list[str], version: int, at: datetime
    ) -> None:
        self._log("tenant_created", tenant_id, version)
        super().tenant_created(tenant_id, name, features, version, at)

    def tenant_changed(
        self, tenant_id: uuid.UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        self._log("tenant_changed", tenant_id, version)
        super().tenant_changed(tenant_id, changes, version, at)

    def key_issued(
        self,
        key_id: uuid.UUID,
        tenant_id: uuid.UUID,
        name: str,
        permissions: list[str],
        tier: str,
        expires_at: datetime | None,
        at: datetime,
    ) -> None:
        self._log("key_issued", key_id, 1)
        super().key_issued(key_id, tenant_id, name, permissions, tier, expires_at, at)

    def key_changed(
        self, key_id: uuid.UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        self._log("key_changed", key_id, version)
        super().key_changed(key_id, changes, version, at)


class ViewFailure(RuntimeError):
    pass


def failing_view(fail_at: int) -> Callable[[Connection], LoggingView]:
    """A view factory whose views fail on the fail_at-th change, counted across batches."""
    calls = 0

    class FailingView(LoggingView):
        def _log(self, change: str, aggregate_id: uuid.UUID, version: int) -> None:
            nonlocal calls
            calls += 1
            if calls == fail_at:
                raise ViewFailure(f"view change {calls} failed")
            super()._log(change, aggregate_id, version)

    return FailingView


class Memo(Aggregate):
    """An aggregate the platform projector knows nothing about."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    container = build(any_settings)
    log_metadata.create_all(container.engine)
    yield container
    container.close()


def runner(
    container: Container,
    batch_size: int = 1000,
    view: Callable[[Connection], SqlPlatformView] = LoggingView,
    engine: Engine | None = None,
) -> ProjectionRunner[Any]:
    return ProjectionRunner(
        engine or container.engine, PlatformProjector(), view, container.applications, batch_size
    )


def make_history(app: PlatformApplication, tenants_count: int = 2, keys_each: int = 3) -> int:
    """Records a mix of tenant and key events; returns how many."""
    before = app.recorder.max_notification_id() or 0
    for n in range(tenants_count):
        tenant_id = app.create_tenant(f"Tenant {n}", [Feature.REST_API]).aggregate_id
        app.rename_tenant(tenant_id, f"Tenant {n} renamed")
        app.set_feature(tenant_id, Feature.WEBHOOKS, True)
        app.set_feature(tenant_id, Feature.REST_API, False)
        for k in range(keys_each):
            key_id = app.issue_api_key(tenant_id, f"key {k}", ["ADMIN"]).ack.aggregate_id
            app.rotate_api_key(tenant_id, key_id, timedelta(hours=1))
            if k % 2 == 0:
                app.revoke_api_key(tenant_id, key_id)
    return (app.recorder.max_notification_id() or 0) - before


def logged(engine: Engine) -> list[tuple[uuid.UUID, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(view_changes.c.aggregate_id, view_changes.c.version).order_by(view_changes.c.seq)
        ).all()
    return [(r[0], r[1]) for r in rows]


def all_events(app: PlatformApplication) -> list[tuple[uuid.UUID, int]]:
    notifications = app.recorder.select_notifications(start=1, limit=100_000)
    return [(n.originator_id, n.originator_version) for n in notifications]  # type: ignore[misc]


def all_events_ids(app: PlatformApplication) -> list[int]:
    return [n.id for n in app.recorder.select_notifications(start=1, limit=100_000)]


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def position(container: Container) -> int:
    return container.positions.current("platform", "platform")


def table_state(engine: Engine) -> tuple[list[Row[Any]], list[Row[Any]]]:
    with engine.connect() as conn:
        return (
            list(conn.execute(select(tenants).order_by(tenants.c.tenant_id))),
            list(conn.execute(select(api_keys).order_by(api_keys.c.key_id))),
        )


def count_commits(engine: Engine) -> list[int]:
    commits: list[int] = []
    sa_event.listen(engine, "commit", lambda _conn: commits.append(1))
    return commits


def test_a_batch_applies_up_to_batch_size_events_in_one_transaction(
    container: Container,
) -> None:
    total = make_history(container.platform)
    projection = runner(container, batch_size=10)
    commits = count_commits(container.engine)

    first = projection.run_batch()

    assert total > 20
    assert first == 10
    assert position(container) == all_events_ids(container.platform)[9]
    assert len(commits) == 1
    assert len(logged(container.engine)) == 10


def test_catching_up_takes_one_transaction_per_batch_and_ends_at_the_last_event(
    container: Container,
) -> None:
    total = make_history(container.platform)
    projection = runner(container, batch_size=7)
    commits = count_commits(container.engine)

    applied = projection.catch_up()

    assert applied == total
    assert len(commits) == -(-total // 7)
    assert position(container) == container.platform.recorder.max_notification_id()
    assert logged(container.engine) == all_events(container.platform)
    assert projection.catch_up() == 0


def view_failing_on(target: tuple[uuid.UUID, int]) -> Callable[[Connection], LoggingView]:
    """A view factory whose views cannot apply one domain event, every time they see it."""

    class FailingView(LoggingView):
        def _log(self, change: str, aggregate_id: uuid.UUID, version: int) -> None:
            if (aggregate_id, version) == target:
                raise ViewFailure(f"cannot apply {aggregate_id} v{version}")
            super()._log(change, aggregate_id, version)

    return FailingView


def test_a_domain_event_the_view_cannot_apply_stops_the_projection_right_before_it(
    container: Container,
) -> None:
    make_history(container.platform)
    events, ids = all_events(container.platform), all_events_ids(container.platform)
    projection = runner(container, batch_size=10, view=view_failing_on(events[4]))

    with pytest.raises(ProjectionFailed) as failed:
        projection.catch_up()

    # The batch was rolled back whole, then applied one domain event at a time: what
    # precedes the one it cannot apply is in, nothing after it.
    assert failed.value.failure.position == ids[4]
    assert position(container) == ids[3]
    assert logged(container.engine) == events[:4]
    assert [f.position for f in failures(container.engine)] == [ids[4]]


def test_after_a_batch_failed_once_every_event_is_applied_exactly_once(
    container: Container,
) -> None:
    total = make_history(container.platform)

    # The 13th view change fails once (a passing fault): the batch holding it is rolled
    # back and applied again one domain event at a time, and the run carries on.
    runner(container, batch_size=8, view=failing_view(fail_at=13)).catch_up()

    assert position(container) == container.platform.recorder.max_notification_id()
    assert logged(container.engine) == all_events(container.platform)
    assert len(logged(container.engine)) == total
    assert failures(container.engine) == []
    assert_view_matches_aggregates(container)


def assert_view_matches_aggregates(container: Container) -> None:
    app = container.platform
    tenant_rows, key_rows = table_state(container.engine)
    projected = {r.tenant_id for r in tenant_rows} | {r.key_id for r in key_rows}
    assert projected == {aggregate_id for aggregate_id, _ in all_events(app)}
    for row in tenant_rows:
        tenant = app.load(Tenant, row.tenant_id)
        assert (row.name, row.features, row.version) == (
            tenant.name,
            sorted(tenant.features),
            tenant.version,
        )
    for row in key_rows:
        key = app.load(ApiKey, row.key_id)
        assert (row.status, row.rotated_at, row.revoked_at, row.version) == (
            "revoked" if key.revoked else "active",
            key.rotated_at,
            key.revoked_at,
            key.version,
        )


def test_two_runners_of_one_projection_apply_every_event_exactly_once(
    container: Container, any_settings: Settings
) -> None:
    total = make_history(container.platform, tenants_count=4, keys_each=4)
    last = container.platform.recorder.max_notification_id()
    engines = [make_engine(any_settings) for _ in range(2)]
    runners = [runner(container, batch_size=3, engine=e) for e in engines]
    start = threading.Barrier(len(runners))
    applied: list[int] = []
    reached: list[int] = []
    errors: list[BaseException] = []

    def run(projection: ProjectionRunner[Any]) -> None:
        try:
            start.wait()
            applied.append(projection.catch_up())
            # catch_up returns only once the projection has reached the end of the log,
            # even when the other runner applied some of the batches.
            reached.append(Positions(projection.engine).current("platform", "platform"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()

    assert errors == []
    assert sum(applied) == total
    assert reached == [last, last]
    assert logged(container.engine) == all_events(container.platform)
    assert_view_matches_aggregates(container)


def test_events_the_projector_ignores_still_advance_the_position(container: Container) -> None:
    app = container.platform
    tenant_id = app.create_tenant("Acme Events").aggregate_id
    app.save(Memo("nothing to project"), Memo("nor this"))
    app.rename_tenant(tenant_id, "Acme Festivals")
    app.save(Memo("trailing"))
    projection = runner(container, batch_size=2)

    applied = projection.catch_up()

    assert applied == 5
    assert position(container) == app.recorder.max_notification_id() == 5
    assert logged(container.engine) == [(tenant_id, 1), (tenant_id, 2)]
    assert container.query(PlatformQueries).tenant(tenant_id).name == "Acme Festivals"  # type: ignore[union-attr]


def test_a_log_of_only_ignored_events_is_caught_up_too(container: Container) -> None:
    container.platform.save(Memo("a"), Memo("b"), Memo("c"))

    assert runner(container, batch_size=2).catch_up() == 3
    assert position(container) == 3
    assert logged(container.engine) == []


def test_a_runner_resumes_where_another_one_stopped(container: Container) -> None:
    make_history(container.platform, tenants_count=1, keys_each=2)
    runner(container, batch_size=4).run_batch()

    runner(container, batch_size=4).catch_up()

    assert logged(container.engine) == all_events(container.platform)


def test_a_missing_tracking_row_is_an_error_not_a_silent_stall(container: Container) -> None:
    container.platform.create_tenant("Acme Events")
    projection = runner(container)
    with container.engine.begin() as conn:
        conn.execute(delete(projection_tracking))

    with pytest.raises(LookupError):
        projection.run_batch()
