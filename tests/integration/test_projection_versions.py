"""Projection versions: a new version is rebuilt apart and swapped in; status shows the lag."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.platform.queries import PlatformQueries
from adapters.platform.view import SqlPlatformView
from adapters.projection.file_lock import file_lock
from adapters.projection.leader import this_process
from adapters.projection.leadership import leadership_for
from adapters.projection.rebuild import RebuildInterrupted, rebuild, rebuild_if_outdated
from adapters.projection.runner import ProjectionVersionChanged
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.status import ProjectionStatus, projection_status
from adapters.projection.tracking import projection_tracking
from adapters.projection.verify import verify
from adapters.settings import Settings
from domain.platform.features import Feature
from domain.platform.tenant import Tenant
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from entrypoints.workers.projections import follow_projection
from projections.platform.projector import PlatformProjector, PlatformView
from projections.projector import on


class ShoutingPlatformProjector(PlatformProjector):
    """Version 2 of the platform projection: tenant names in capitals."""

    version = 2

    @on(Tenant.Created)
    def _tenant_created(self, e: Any, view: PlatformView) -> None:
        view.tenant_created(
            e.originator_id, e.name.upper(), e.features, e.originator_version, e.timestamp
        )


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    container = build(any_settings)
    yield container
    container.close()


def platform(container: Container, projector: PlatformProjector, batch: int = 5) -> SqlProjection:
    return SqlProjection(
        container.engine, projector, SqlPlatformView, container.applications, batch_size=batch
    )


def history(container: Container, keys: int = 12) -> UUID:
    tenant_id = container.platform.create_tenant("Acme", [Feature.REST_API]).aggregate_id
    for n in range(keys):
        container.platform.issue_api_key(tenant_id, f"key {n}", ["ADMIN"])
    return tenant_id


def tenant_name(container: Container, tenant_id: UUID) -> str | None:
    row = container.query(PlatformQueries).tenant(tenant_id)
    return None if row is None else row.name


def test_a_new_version_is_rebuilt_while_queries_read_the_old_tables_until_the_swap(
    container: Container,
) -> None:
    tenant_id = history(container)
    v1, v2 = (
        platform(container, PlatformProjector()),
        platform(container, ShoutingPlatformProjector()),
    )
    v1.runner().catch_up()
    seen_while_building: list[tuple[str | None, int | None]] = []

    def look(_count: int) -> None:
        seen_while_building.append((tenant_name(container, tenant_id), v2.stored_version()))

    assert v2.is_outdated()
    assert rebuild_if_outdated(v2, on_progress=look)

    assert len(seen_while_building) >= 2
    assert set(seen_while_building) == {("Acme", 1)}
    assert tenant_name(container, tenant_id) == "ACME"
    assert v2.stored_version() == 2
    assert list(verify(v2)) == []
    assert not rebuild_if_outdated(v2)


def test_a_runner_of_the_old_version_refuses_to_write_into_rebuilt_tables(
    container: Container,
) -> None:
    tenant_id = history(container, keys=2)
    old = platform(container, PlatformProjector())
    old.runner().catch_up()
    rebuild_if_outdated(platform(container, ShoutingPlatformProjector()))

    container.platform.rename_tenant(tenant_id, "Acme Festivals")

    with pytest.raises(ProjectionVersionChanged):
        old.runner().run_batch()
    assert tenant_name(container, tenant_id) == "ACME"


def test_a_runner_of_the_old_version_follows_the_live_tables_during_a_rebuild_then_pauses(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    tenant_id = history(container, keys=12)
    old = platform(container, PlatformProjector())
    old.runner().catch_up()
    stop = threading.Event()
    old_worker = threading.Thread(target=follow_projection, args=(container, old, stop))
    followed_during_the_build: list[tuple[bool, str | None, int | None]] = []

    def rename_while_building(_count: int) -> None:
        if followed_during_the_build:
            return
        renamed = container.platform.rename_tenant(tenant_id, "Acme Festivals")
        assert renamed.position is not None
        reached = container.positions.wait_for("platform", [renamed.position], timeout=10)
        followed_during_the_build.append(
            (reached, tenant_name(container, tenant_id), old.stored_version())
        )

    old_worker.start()
    try:
        rebuild_if_outdated(
            platform(container, ShoutingPlatformProjector()), on_progress=rename_while_building
        )
        swapped_at = container.positions.current("platform", "platform")
        container.platform.rename_tenant(tenant_id, "Acme Expos")
        wait_for_log(caplog, "this runner pauses")
        after_the_swap = (
            container.positions.current("platform", "platform"),
            tenant_name(container, tenant_id),
        )
    finally:
        stop.set()
        old_worker.join(timeout=10)

    assert followed_during_the_build == [(True, "Acme Festivals", 1)]
    assert after_the_swap == (swapped_at, "Acme Festivals")


def wait_for_log(caplog: pytest.LogCaptureFixture, text: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while text not in caplog.text:
        assert time.monotonic() < deadline, f"no {text!r} in the log"
        time.sleep(0.01)


def test_an_interrupted_rebuild_resumes_where_it_stopped(container: Container) -> None:
    history(container, keys=20)
    platform(container, PlatformProjector()).runner().catch_up()
    v2 = platform(container, ShoutingPlatformProjector())
    stop = threading.Event()
    first: list[int] = []

    def stop_after_two_batches(count: int) -> None:
        first.append(count)
        if len(first) == 2:
            stop.set()

    with pytest.raises(RebuildInterrupted):
        rebuild_if_outdated(v2, on_progress=stop_after_two_batches, stop=stop)
    assert v2.stored_version() == 1
    second: list[int] = []
    rebuild_if_outdated(v2, on_progress=second.append)

    assert sum(first) == 10
    assert sum(first) + sum(second) == sum(v2.heads().values())
    assert v2.stored_version() == 2
    assert list(verify(v2)) == []


def test_a_forced_rebuild_of_the_current_version_leaves_the_same_tables(
    container: Container,
) -> None:
    tenant_id = history(container, keys=7)
    current = platform(container, PlatformProjector())
    current.runner().catch_up()
    container.platform.rename_tenant(tenant_id, "Acme Festivals")

    rebuild(current)

    assert tenant_name(container, tenant_id) == "Acme Festivals"
    assert list(verify(current)) == []
    assert projection_status(current).lag_events == 0


def test_status_counts_the_unapplied_domain_events_and_the_age_of_the_oldest(
    container: Container,
) -> None:
    history(container, keys=9)
    projection = platform(container, PlatformProjector(), batch=4)
    app = container.platform
    notifications = app.recorder.select_notifications(start=1, limit=100)
    oldest_unapplied = app.mapper.to_domain_event(notifications[4]).timestamp
    now = oldest_unapplied + timedelta(seconds=90)

    before = projection_status(projection, now)
    projection.runner().run_batch()
    during = projection_status(projection, now)
    projection.runner().catch_up()
    after = projection_status(projection, now)

    head = notifications[-1].id
    assert (before.stored_version, before.lag_events) == (None, head)
    ((upstream,),) = [during.upstreams]
    assert (upstream.position, upstream.head) == (notifications[3].id, head)
    assert during.lag_events == head - notifications[3].id
    assert during.lag_seconds == pytest.approx(90.0)
    assert (after.lag_events, after.lag_seconds) == (0, 0.0)
    assert after.version == after.stored_version == 1


def test_status_shows_a_rebuild_under_way_and_how_far_it_has_got(container: Container) -> None:
    history(container, keys=12)
    platform(container, PlatformProjector()).runner().catch_up()
    v2 = platform(container, ShoutingPlatformProjector())
    seen: list[ProjectionStatus] = []

    rebuild_if_outdated(v2, on_progress=lambda _count: seen.append(projection_status(v2)))
    after = projection_status(v2)

    first, last = seen[0], seen[-1]
    assert (first.state, first.stored_version, first.rebuilding_to) == ("rebuilding", 1, 2)
    assert [u.rebuilt for u in first.upstreams] == [5]
    assert first.lag_events == 0
    progress = [s.rebuild_progress or 0.0 for s in seen]
    assert 0 < progress[0] < 1
    assert progress == sorted(progress)
    assert last.rebuild_progress == 1.0
    assert (after.state, after.rebuild_progress, after.stored_version) == ("current", None, 2)
    assert [u.rebuilt for u in after.upstreams] == [None]


def test_status_names_the_process_leading_each_version_that_runs(container: Container) -> None:
    history(container, keys=1)
    platform(container, PlatformProjector()).runner().catch_up()
    v2 = platform(container, ShoutingPlatformProjector())
    leads = [leadership_for(container.engine, "platform", version) for version in (1, 2)]
    try:
        before = projection_status(v2)
        for leadership in leads:
            assert leadership.try_lead()
        during = projection_status(v2)
    finally:
        for leadership in leads:
            leadership.close()

    assert before.leaders == {}
    assert during.leaders == {1: this_process(), 2: this_process()}
    assert during.state == "outdated"


def test_status_of_a_projection_that_never_ran_shows_no_stored_version(
    container: Container,
) -> None:
    history(container, keys=0)
    projection = platform(container, ShoutingPlatformProjector())
    with container.engine.begin() as conn:
        conn.execute(projection_tracking.delete())

    status = projection_status(projection, datetime.now(UTC))

    assert (status.version, status.stored_version, status.outdated) == (2, None, False)
    assert status.lag_events == 1


def test_queries_answer_before_and_after_the_swap_on_the_same_connections(
    container: Container,
) -> None:
    tenant_id = history(container, keys=2)
    platform(container, PlatformProjector()).runner().catch_up()
    # Enough reads for the driver to prepare the statement on the server.
    before = [tenant_name(container, tenant_id) for _ in range(8)]

    rebuild_if_outdated(platform(container, ShoutingPlatformProjector()))
    after = [tenant_name(container, tenant_id) for _ in range(8)]
    keys = container.query(PlatformQueries).api_keys(tenant_id, 10, None).items

    assert set(before) == {"Acme"}
    assert set(after) == {"ACME"}
    assert len(keys) == 2


def test_a_starting_worker_rebuilds_an_outdated_projection_then_follows_new_events(
    container: Container,
) -> None:
    tenant_id = history(container, keys=3)
    platform(container, PlatformProjector()).runner().catch_up()
    v2 = platform(container, ShoutingPlatformProjector())
    stop = threading.Event()
    worker = threading.Thread(target=follow_projection, args=(container, v2, stop))

    worker.start()
    try:
        renamed = container.platform.rename_tenant(tenant_id, "Acme Festivals")
        assert renamed.position is not None
        reached = container.positions.wait_for("platform", [renamed.position], timeout=10)
    finally:
        stop.set()
        worker.join(timeout=10)

    assert reached
    assert v2.stored_version() == 2
    assert tenant_name(container, tenant_id) == "Acme Festivals"
    assert list(verify(v2)) == []


def test_rebuilds_and_verifications_leave_no_lock_file_behind(
    container: Container, any_settings: Settings
) -> None:
    history(container, keys=2)
    projection = platform(container, PlatformProjector())
    projection.runner().catch_up()

    rebuild(projection)
    assert list(verify(projection)) == []

    assert sorted(p.name for p in any_settings.data_dir.glob("*.lock")) == []


def test_a_build_area_lock_keeps_a_second_holder_waiting_until_released(tmp_path: Path) -> None:
    path = tmp_path / "area.lock"
    order: list[str] = []
    first_holds = threading.Event()

    def second() -> None:
        first_holds.wait()
        with file_lock(path):
            order.append("second")

    waiter = threading.Thread(target=second)
    waiter.start()
    with file_lock(path):
        first_holds.set()
        waiter.join(timeout=0.3)
        order.append("first")
    waiter.join(timeout=10)

    assert order == ["first", "second"]
    assert not path.exists()
