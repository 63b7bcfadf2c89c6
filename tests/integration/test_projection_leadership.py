"""One runner of a projection leads and reads; the others stand by until it is gone."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from eventsourcing.application import Application
from sqlalchemy import Engine, text

from adapters.platform.view import SqlPlatformView
from adapters.projection.leader import Leader
from adapters.projection.leadership import leader_of, leadership_for
from adapters.projection.notification_log import Recorded
from adapters.projection.pg_leadership import lock_key
from adapters.projection.runner import ProjectionRunner
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.verify import verify
from adapters.settings import Settings
from domain.platform.features import Feature
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from entrypoints.workers.projections import follow_projection
from projections.platform.projector import PlatformProjector


class CountingRunner(ProjectionRunner[Any]):
    """The real runner, counting the batches it has read and decoded."""

    batches = 0

    def _apply(
        self, app: Application[Any], upstream: str, start: int, notifications: Sequence[Recorded]
    ) -> None:
        self.batches += 1
        super()._apply(app, upstream, start, notifications)


@dataclass
class CountedProjection(SqlProjection):
    """The platform projection, keeping every live runner it makes."""

    made: list[CountingRunner] = field(default_factory=list)

    def runner(
        self, engine: Engine | None = None, *, announce: bool = True
    ) -> ProjectionRunner[Any]:
        if engine is not None:
            return super().runner(engine, announce=announce)
        made = CountingRunner(
            self.engine, self.projector, self.view, self.upstreams, self.batch_size
        )
        self.made.append(made)
        return made

    @property
    def batches(self) -> int:
        return sum(r.batches for r in self.made)


class Follower:
    """One worker thread following a projection, as `accredit worker projections` runs it."""

    def __init__(self, container: Container) -> None:
        self.projection = CountedProjection(
            container.engine, PlatformProjector(), SqlPlatformView, container.applications, 4
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=follow_projection, args=(container, self.projection, self.stop)
        )
        self.thread.start()

    def halt(self) -> None:
        self.stop.set()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    container = build(any_settings)
    yield container
    container.close()


def wait_until(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.01)


def record(container: Container, tenants: int) -> int:
    for n in range(tenants):
        tenant_id = container.platform.create_tenant(f"Tenant {n}", [Feature.REST_API])
        container.platform.rename_tenant(tenant_id.aggregate_id, f"Tenant {n} renamed")
    return container.platform.recorder.max_notification_id() or 0


def caught_up(container: Container, head: int) -> Callable[[], bool]:
    return lambda: container.positions.current("platform", "platform") >= head


def test_only_the_leading_runner_reads_and_a_standby_takes_over_when_it_stops(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    record(container, tenants=3)
    first = Follower(container)
    try:
        wait_until(lambda: bool(first.projection.made))
        second = Follower(container)
        try:
            wait_until(lambda: "another runner leads; standing by" in caplog.text)
            wait_until(caught_up(container, record(container, tenants=6)))
            read_while_first_led = (first.projection.batches, second.projection.batches)
            leader_while_first_led = leader_of(container.engine, "platform", 1)

            first.halt()
            wait_until(lambda: bool(second.projection.made))
            wait_until(caught_up(container, record(container, tenants=3)))
        finally:
            second.halt()
    finally:
        first.halt()

    assert read_while_first_led[0] > 0
    assert read_while_first_led[1] == 0
    assert second.projection.batches > 0
    assert leader_while_first_led == Leader(socket.gethostname(), os.getpid())
    assert leader_of(container.engine, "platform", 1) is None
    assert list(verify(first.projection)) == []


def test_runners_of_two_versions_of_one_projection_each_lead(container: Container) -> None:
    old, new = (leadership_for(container.engine, "platform", v) for v in (1, 2))
    rival = leadership_for(container.engine, "platform", 1)
    try:
        assert old.try_lead()
        assert new.try_lead()
        assert not rival.try_lead()
        old.step_down()
        assert rival.try_lead()
        assert rival.leading()
    finally:
        for leadership in (old, new, rival):
            leadership.close()


def test_a_leader_whose_session_the_server_ends_stands_down_and_the_lead_passes_on(
    pg_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with build(pg_settings) as container:
        record(container, tenants=2)
        first = Follower(container)
        second: Follower | None = None
        try:
            wait_until(lambda: bool(first.projection.made))
            second = Follower(container)
            wait_until(lambda: "another runner leads; standing by" in caplog.text)
            classid, objid = lock_key("platform", 1)
            with container.engine.begin() as conn:
                ended = conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = "
                        "'advisory' AND granted AND objsubid = 2 AND classid = :c AND objid = :o "
                        "AND database = (SELECT oid FROM pg_database "
                        "WHERE datname = current_database())"
                    ),
                    {"c": classid, "o": objid % 2**32},
                ).scalars()
                assert list(ended) == [True]

            wait_until(lambda: "lost the lead" in caplog.text)
            wait_until(caught_up(container, record(container, tenants=3)))
            wait_until(lambda: leader_of(container.engine, "platform", 1) is not None)
        finally:
            first.halt()
            if second is not None:
                second.halt()
        assert list(verify(first.projection)) == []
