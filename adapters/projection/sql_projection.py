"""One projection as the database sees it: projector, view tables, upstreams, tracking rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, Table, select

from adapters.projection.runner import ProjectionRunner
from adapters.projection.sql_view import SqlView
from adapters.projection.tracking import Tracked, projection_tracking
from projections.projector import Projector


@dataclass
class SqlProjection:
    """A projector writing SQL view tables, with everything needed to run or rebuild it."""

    engine: Engine
    projector: Projector[Any]
    view: type[SqlView]
    upstreams: Mapping[str, Application[Any]]
    batch_size: int = 1000

    @property
    def name(self) -> str:
        return self.projector.name

    @property
    def version(self) -> int:
        return self.projector.version

    @property
    def tables(self) -> tuple[Table, ...]:
        return self.view.tables

    @property
    def upstream_apps(self) -> dict[str, Application[Any]]:
        return {name: self.upstreams[name] for name in self.projector.upstream}

    def runner(
        self, engine: Engine | None = None, *, announce: bool = True, failures: Engine | None = None
    ) -> ProjectionRunner[Any]:
        """A runner on the live tables, or on the tables `engine` maps them to.

        `failures` is where a runner on other tables records a domain event it cannot apply.
        """
        return ProjectionRunner(
            engine or self.engine,
            self.projector,
            self.view,
            self.upstreams,
            self.batch_size,
            announce=announce,
            failures=failures,
        )

    def tracked(self, conn: Connection | None = None) -> dict[str, Tracked]:
        """The stored tracking rows, by upstream (none before the projection first ran)."""
        query = select(
            projection_tracking.c.upstream,
            projection_tracking.c.position,
            projection_tracking.c.version,
        ).where(projection_tracking.c.projection == self.name)
        if conn is None:
            with self.engine.connect() as own:
                rows = own.execute(query).all()
        else:
            rows = conn.execute(query).all()
        return {r.upstream: Tracked(int(r.position), int(r.version)) for r in rows}

    def stored_version(self) -> int | None:
        """The version the live tables were built by (the oldest, if upstreams disagree)."""
        versions = [t.version for t in self.tracked().values()]
        return min(versions) if versions else None

    def is_outdated(self) -> bool:
        """Whether the live tables were built by another version of the projector."""
        return any(t.version != self.version for t in self.tracked().values())

    def heads(self) -> dict[str, int]:
        """The last notification id of each upstream log."""
        return {
            name: app.recorder.max_notification_id() or 0
            for name, app in self.upstream_apps.items()
        }
