"""How far behind its upstream logs each projection is, whether it is being rebuilt, who leads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eventsourcing.application import Application

from adapters.projection.failures import Failure, failures
from adapters.projection.leader import Leader
from adapters.projection.leadership import leader_of
from adapters.projection.rebuild import rebuild_area
from adapters.projection.sql_projection import SqlProjection


@dataclass(frozen=True)
class UpstreamLag:
    upstream: str
    position: int
    head: int
    lag_events: int
    # Age of the oldest domain event the projection has not applied yet; 0 when none.
    lag_seconds: float
    # Where a rebuild under way has got to in this log (None when none is).
    rebuilt: int | None = None


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    version: int
    stored_version: int | None
    upstreams: list[UpstreamLag]
    # The version a rebuild under way (or stopped, to resume) is building.
    rebuilding_to: int | None = None
    # Who leads the runners of the code's version and of the live tables' version.
    leaders: Mapping[int, Leader] = field(default_factory=dict)
    # Domain events it cannot apply, one per upstream at most: it stopped before each.
    failures: tuple[Failure, ...] = ()

    @property
    def lag_events(self) -> int:
        return sum(u.lag_events for u in self.upstreams)

    @property
    def lag_seconds(self) -> float:
        return max((u.lag_seconds for u in self.upstreams), default=0.0)

    @property
    def outdated(self) -> bool:
        return self.stored_version is not None and self.stored_version != self.version

    @property
    def state(self) -> str:
        """failing (stopped by a domain event it cannot apply), rebuilding (a rebuild is
        under way), outdated (one is due) or current."""
        if self.failures:
            return "failing"
        if self.rebuilding_to is not None:
            return "rebuilding"
        return "outdated" if self.outdated else "current"

    @property
    def rebuild_progress(self) -> float | None:
        """The share of the history a rebuild under way has applied, from 0 to 1."""
        if self.rebuilding_to is None:
            return None
        return _share(
            sum(u.rebuilt or 0 for u in self.upstreams), sum(u.head for u in self.upstreams)
        )


def _share(done: int, total: int) -> float:
    return 1.0 if total == 0 else min(1.0, done / total)


def projection_status(projection: SqlProjection, now: datetime | None = None) -> ProjectionStatus:
    """Reads the live and the build's tracking rows, each upstream log, and the leaders."""
    now = now or datetime.now(UTC)
    tracked = projection.tracked()
    built = rebuild_area(projection).tracked(projection.name)
    lags = [
        _upstream_lag(
            name,
            app,
            tracked[name].position if name in tracked else 0,
            None if built is None else built[name].position if name in built else 0,
            now,
        )
        for name, app in projection.upstream_apps.items()
    ]
    stored = min((t.version for t in tracked.values()), default=None)
    building = None
    if built is not None:
        # A build that has not written its tracking rows yet builds the code's version.
        building = min((t.version for t in built.values()), default=projection.version)
    return ProjectionStatus(
        projection.name,
        projection.version,
        stored,
        lags,
        building,
        _leaders(projection, stored),
        tuple(failures(projection.engine, projection.name)),
    )


def _upstream_lag(
    name: str, app: Application[Any], position: int, rebuilt: int | None, now: datetime
) -> UpstreamLag:
    head = app.recorder.max_notification_id() or 0
    age = 0.0
    if head > position:
        (first,) = app.recorder.select_notifications(
            start=position, limit=1, inclusive_of_start=False
        )
        recorded_at: datetime = getattr(app.mapper.to_domain_event(first), "timestamp", now)
        age = max(0.0, (now - recorded_at).total_seconds())
    return UpstreamLag(name, position, head, max(0, head - position), age, rebuilt)


def _leaders(projection: SqlProjection, stored: int | None) -> dict[int, Leader]:
    versions = {projection.version} if stored is None else {projection.version, stored}
    found = {v: leader_of(projection.engine, projection.name, v) for v in sorted(versions)}
    return {v: leader for v, leader in found.items() if leader is not None}
