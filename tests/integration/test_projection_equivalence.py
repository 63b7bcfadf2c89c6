"""However a projection is built, live, at once, or rebuilt for a new version, it is the same."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from adapters.platform.view import SqlPlatformView
from adapters.projection.build_area import build_area
from adapters.projection.rebuild import rebuild_if_outdated
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.tracking import projection_tracking
from adapters.settings import Settings
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.platform.projector import PlatformProjector
from tests.integration.test_platform_projection import Command, CommandRunner, commands

EXAMPLES_MAX = 30
# Several runs of commands, one after the other: longer histories than one run gives.
histories = st.lists(commands, min_size=1, max_size=4).map(
    lambda runs: [command for run in runs for command in run]
)


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    container = build(any_settings)
    yield container
    container.close()


def platform_at(container: Container, version: int) -> SqlProjection:
    projector = type(f"PlatformProjectorV{version}", (PlatformProjector,), {"version": version})
    return SqlProjection(
        container.engine, projector(), SqlPlatformView, container.applications, batch_size=3
    )


def state(engine: Engine, projection: SqlProjection) -> list[list[tuple[Any, ...]]]:
    """Every row of the projection's tables, and its positions (without the version)."""
    with engine.connect() as conn:
        tables = [
            [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in projection.tables
        ]
        positions = conn.execute(
            select(projection_tracking.c.upstream, projection_tracking.c.position)
            .where(projection_tracking.c.projection == projection.name)
            .order_by(projection_tracking.c.upstream)
        )
        return [*tables, [tuple(r) for r in positions]]


def test_a_projection_built_live_at_once_or_rebuilt_for_a_new_version_is_the_same(
    container: Container,
) -> None:
    versions = iter(range(1, 1000))
    live = platform_at(container, next(versions))
    at_once = build_area(container.engine, "at_once_test")
    # Tenants and keys outlive an example, so every kind of command has something to act on.
    executor = CommandRunner(container.platform)
    executor.run(("create", "Acme"))
    executor.run(("issue", 0, "FREE"))

    # The history grows with every example and each one rebuilds all of it, so examples
    # cost more and more: past this many, a run mostly replays the same kinds of command.
    @settings(deadline=None, max_examples=min(settings().max_examples, EXAMPLES_MAX))
    @given(histories)
    def check(generated: list[Command]) -> None:
        nonlocal live
        for command in generated:
            executor.run(command)
            live.runner().catch_up()
        built_live = state(container.engine, live)

        at_once.create(live.tables)
        live.runner(at_once.engine, announce=False).catch_up()
        built_at_once = state(at_once.engine, live)

        live = platform_at(container, next(versions))
        assert rebuild_if_outdated(live)
        rebuilt = state(container.engine, live)

        assert built_at_once == built_live
        assert rebuilt == built_live

    try:
        check()
    finally:
        at_once.drop()
