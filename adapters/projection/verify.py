"""Replays a projection into scratch tables and compares them with the live ones.

The live tables and their positions are read in one snapshot (a REPEATABLE READ
transaction on PostgreSQL, a read transaction on SQLite), and the scratch copy is
built up to exactly those positions, so a projector running meanwhile causes no
false differences.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from adapters.projection.build_area import build_area
from adapters.projection.rebuild import Progress
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.table_compare import Difference, compare_table


class ProjectionOutdated(RuntimeError):
    """The live tables were built by another version: there is nothing to compare yet."""


def verify(projection: SqlProjection, on_progress: Progress | None = None) -> Iterator[Difference]:
    """Every difference between the live tables and a replay of the history up to them."""
    area = build_area(projection.engine, f"verify_{projection.name}")
    with area.lock():
        area.create(projection.tables)
        try:
            with _snapshot(projection) as live:
                tracked = projection.tracked(live)
                if any(t.version != projection.version for t in tracked.values()):
                    raise ProjectionOutdated(
                        f"projection {projection.name} is stored at another version than "
                        f"the code's {projection.version}: rebuild it first"
                    )
                until = {u: t.position for u, t in tracked.items()}
                until.update({u: 0 for u in projection.upstream_apps if u not in until})
                projection.runner(area.engine, announce=False).catch_up(until, on_progress)
                with area.engine.connect() as scratch:
                    _check_positions(projection, scratch, until)
                    for table in projection.tables:
                        yield from compare_table(table, live, scratch)
        finally:
            area.drop()


@contextmanager
def _snapshot(projection: SqlProjection) -> Iterator[Connection]:
    with projection.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _check_positions(projection: SqlProjection, scratch: Connection, until: dict[str, int]) -> None:
    reached = {u: t.position for u, t in projection.tracked(scratch).items()}
    for upstream, position in until.items():
        # An upstream log shorter than the live position means history went missing.
        if reached.get(upstream, 0) != position:
            raise RuntimeError(
                f"projection {projection.name}: replaying {upstream} reached "
                f"{reached.get(upstream, 0)}, the live tables are at {position}"
            )
