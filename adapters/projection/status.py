"""How far behind its upstream logs each projection is, in domain events and in seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.projection.sql_projection import SqlProjection


@dataclass(frozen=True)
class UpstreamLag:
    upstream: str
    position: int
    head: int
    lag_events: int
    # Age of the oldest domain event the projection has not applied yet; 0 when none.
    lag_seconds: float


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    version: int
    stored_version: int | None
    upstreams: list[UpstreamLag]

    @property
    def lag_events(self) -> int:
        return sum(u.lag_events for u in self.upstreams)

    @property
    def lag_seconds(self) -> float:
        return max((u.lag_seconds for u in self.upstreams), default=0.0)

    @property
    def outdated(self) -> bool:
        return self.stored_version is not None and self.stored_version != self.version


def projection_status(projection: SqlProjection, now: datetime | None = None) -> ProjectionStatus:
    """Reads the tracking rows and each upstream log's head and oldest unapplied event."""
    now = now or datetime.now(UTC)
    tracked = projection.tracked()
    lags = []
    for name, app in projection.upstream_apps.items():
        position = tracked[name].position if name in tracked else 0
        head = app.recorder.max_notification_id() or 0
        age = 0.0
        if head > position:
            (first,) = app.recorder.select_notifications(
                start=position, limit=1, inclusive_of_start=False
            )
            recorded_at: datetime = getattr(app.mapper.to_domain_event(first), "timestamp", now)
            age = max(0.0, (now - recorded_at).total_seconds())
        lags.append(UpstreamLag(name, position, head, max(0, head - position), age))
    stored = min((t.version for t in tracked.values()), default=None)
    return ProjectionStatus(projection.name, projection.version, stored, lags)
