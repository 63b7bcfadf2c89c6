"""Rebuilding a projection from the whole history while its old tables keep answering.

The projection is replayed into a build area (adapters.projection.build_area) by an ordinary
runner; once it has reached the live positions, one transaction locks the live
tracking rows, puts the built tables in place of the live ones, and records the
built positions with the code's version. Queries read the old tables until then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import delete, insert, select

from adapters.projection.build_area import BuildArea, build_area
from adapters.projection.failures import clear_failures
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.tracking import projection_tracking
from adapters.projection.view_changes import announce

log = logging.getLogger(__name__)

SWAP_ATTEMPTS = 50


class RebuildInterrupted(Exception):
    """Asked to stop before the swap; the build resumes where it stopped next time."""


class SwapKeptFailing(RuntimeError):
    """The live projection kept moving ahead of the build."""


Progress = Callable[[int], None]


def rebuild_area(projection: SqlProjection) -> BuildArea:
    return build_area(projection.engine, f"rebuild_{projection.name}")


def rebuild(
    projection: SqlProjection,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Rebuilds the projection from the first domain event, whatever its version."""
    area = rebuild_area(projection)
    with area.lock():
        area.create(projection.tables)
        _build_and_swap(projection, area, on_progress, stop)


def rebuild_if_outdated(
    projection: SqlProjection,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> bool:
    """Rebuilds the projection if its stored version is not the code's; True if it did."""
    if not projection.is_outdated():
        return False
    area = rebuild_area(projection)
    with area.lock():
        # Another process may have finished the rebuild while this one waited.
        if not projection.is_outdated():
            return False
        if not _resumable(projection, area):
            area.create(projection.tables)
        log.info("rebuilding projection %s to version %d", projection.name, projection.version)
        _build_and_swap(projection, area, on_progress, stop)
    return True


def _resumable(projection: SqlProjection, area: BuildArea) -> bool:
    if not area.holds_tracking():
        return False
    with area.engine.connect() as conn:
        versions = conn.execute(
            select(projection_tracking.c.version).where(
                projection_tracking.c.projection == projection.name
            )
        ).scalars()
        return set(versions) == {projection.version}


def _build_and_swap(
    projection: SqlProjection,
    area: BuildArea,
    on_progress: Progress | None,
    stop: threading.Event | None,
) -> None:
    # What the build cannot apply is shown with the live projection: its view waits for it.
    builder = projection.runner(area.engine, announce=False, failures=projection.engine)
    for _ in range(SWAP_ATTEMPTS):
        while count := builder.run_batch():
            if on_progress is not None:
                on_progress(count)
            if stop is not None and stop.is_set():
                raise RebuildInterrupted(projection.name)
        if _swap(projection, area):
            area.drop()
            log.info("projection %s rebuilt at version %d", projection.name, projection.version)
            return
    raise SwapKeptFailing(f"projection {projection.name}: the build never caught up")


def _swap(projection: SqlProjection, area: BuildArea) -> bool:
    """Puts the built tables live, unless the live ones are further on; True if it did."""
    tracking, name = projection_tracking, projection.name
    mine = tracking.c.projection == name
    with area.swap_transaction(projection.engine) as conn:
        live = {
            r.upstream: int(r.position)
            for r in conn.execute(
                select(tracking.c.upstream, tracking.c.position).where(mine).with_for_update()
            )
        }
        built = {
            r.upstream: int(r.position)
            for r in conn.execute(
                select(tracking.c.upstream, tracking.c.position).where(mine),
                # Per execution: it overrides the connection's own map (a statement's would not).
                execution_options={"schema_translate_map": area.seen_from_live},
            )
        }
        # Positions never go back: a live projection ahead of the build waits for it.
        if any(built.get(u, 0) < p for u, p in live.items() if u in projection.upstream_apps):
            return False
        area.replace_live_tables(conn, projection.tables)
        conn.execute(delete(tracking).where(mine))
        positions = {upstream: built.get(upstream, 0) for upstream in projection.upstream_apps}
        conn.execute(
            insert(tracking),
            [
                {"projection": name, "upstream": u, "position": p, "version": projection.version}
                for u, p in positions.items()
            ],
        )
        for upstream, position in positions.items():
            clear_failures(conn, name, upstream)
            announce(conn, name, upstream, position)
    return True
