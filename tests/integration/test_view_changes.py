"""Projection progress through LISTEN/NOTIFY: waits wake at once, cached views stay fresh."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from adapters.platform.queries import PlatformQueries
from adapters.settings import Settings
from domain.shared.application import Position
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.recording_positions import RecordingPositions


@pytest.fixture
def container(pg_settings: Settings) -> Iterator[Container]:
    c = build(pg_settings)
    c.catch_up()  # creates the tracking rows the listener starts from
    c.follow_view_changes()
    assert c.view_changes is not None
    deadline = time.monotonic() + 10
    while not c.view_changes.healthy:
        assert time.monotonic() < deadline, "the listener never connected"
        time.sleep(0.02)
    yield c
    c.close()


def test_a_wait_for_a_position_wakes_when_the_projector_announces_it(
    container: Container,
) -> None:
    ack = container.platform.create_tenant("Expo")
    assert ack.position is not None
    positions = RecordingPositions(container.reader, changes=container.view_changes)
    waiting, returned, reached = threading.Event(), threading.Event(), []

    def wait() -> None:
        waiting.set()
        # The timeout is a safety net: the projector's announcement ends the wait.
        reached.append(positions.wait_for("platform", [ack.position], timeout=60))
        returned.set()

    threading.Thread(target=wait, daemon=True).start()
    assert waiting.wait(10)
    # Nothing has projected the tenant: the wait can only still be waiting.
    assert not returned.wait(0.2)
    generation = container.view_changes.generation("platform")

    container.catch_up()

    assert returned.wait(60)
    assert reached == [True]
    assert container.view_changes.generation("platform") > generation  # the announcement came
    assert positions.reads == 0  # it was told, never polled the tracking table


def test_a_wait_times_out_when_nothing_is_projected(container: Container) -> None:
    ahead = Position("platform", 10_000)
    assert not container.positions.wait_for("platform", [ahead], timeout=0.3)


def test_a_remembered_tenant_is_read_again_once_the_projection_moves(
    container: Container,
) -> None:
    tenant_id = container.platform.create_tenant("Expo").aggregate_id
    container.catch_up()
    ack = container.platform.rename_tenant(tenant_id, "Expo 2027")
    # Until the rename is projected, the remembered row is the current one.
    first = container.query(PlatformQueries).tenant(tenant_id)
    assert first is not None

    container.catch_up()
    assert ack.position is not None
    assert container.positions.wait_for("platform", [ack.position], timeout=5)

    renamed = container.query(PlatformQueries).tenant(tenant_id)
    assert renamed is not None
    assert renamed.name == "Expo 2027"
    assert renamed.version == ack.version


def test_a_tenant_is_remembered_between_changes(container: Container) -> None:
    ack = container.platform.create_tenant("Expo")
    container.catch_up()
    assert ack.position is not None
    assert container.positions.wait_for("platform", [ack.position], timeout=5)
    first = container.query(PlatformQueries).tenant(ack.aggregate_id)

    # Served from memory: the same object, no query.
    assert container.query(PlatformQueries).tenant(ack.aggregate_id) is first


def test_without_notifications_queries_read_the_database(pg_settings: Settings) -> None:
    c = build(pg_settings)  # not following: nothing is remembered
    try:
        tenant_id = c.platform.create_tenant("Expo").aggregate_id
        c.catch_up()
        first = c.query(PlatformQueries).tenant(tenant_id)
        assert c.query(PlatformQueries).tenant(tenant_id) is not first
        assert c.positions.wait_for("platform", [Position("platform", 1)], timeout=1)
    finally:
        c.close()
