"""The composition root: builds applications, stores and views from one Settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.application import Application
from sqlalchemy import Engine

from adapters.audit import Auditor
from adapters.database import (
    Reader,
    create_tables,
    eventstore_env,
    make_engine,
    make_service_engine,
    service_tables,
    startup_lock,
    view_tables,
)
from adapters.history_view import HistoryQueries, SqlHistoryView
from adapters.idempotency import IdempotencyStore
from adapters.platform_view import PlatformQueries, SqlPlatformView
from adapters.projection_runner import ProjectionRunner
from adapters.projection_status import ProjectionStatus, projection_status
from adapters.ratelimit import SqlRateLimiter
from adapters.rebuild import rebuild_if_outdated
from adapters.registration_queries import RegistrationQueries
from adapters.registration_view import SqlRegistrationView
from adapters.settings import Settings
from adapters.sql_projection import SqlProjection
from adapters.sql_view import SqlView
from adapters.tracking import Positions
from adapters.usage import KeyUsageRecorder
from adapters.view_changes import ViewChanges
from adapters.wakeup import Wakeup, wakeup_for
from domain.platform import PlatformApplication
from domain.registration import RegistrationApplication
from projections.history import HistoryProjector
from projections.platform import PlatformProjector
from projections.projector import Projector
from projections.registration import RegistrationProjector


@dataclass
class Container:
    """Everything one process needs, built once per process."""

    settings: Settings
    engine: Engine  # the projection tables (and their tracking)
    service_engine: Engine  # rate limits and idempotency records
    reader: Reader
    platform: PlatformApplication
    registration: RegistrationApplication
    platform_queries: PlatformQueries
    registration_queries: RegistrationQueries
    positions: Positions
    rate_limiter: SqlRateLimiter
    idempotency: IdempotencyStore
    usage: KeyUsageRecorder
    applications: dict[str, Application[Any]] = field(default_factory=dict)
    view_changes: ViewChanges | None = None

    def projections(self) -> list[tuple[Projector[Any], type[SqlView]]]:
        """Every projection: its projector and the view it writes, in one list."""
        return [
            (PlatformProjector(), SqlPlatformView),
            (HistoryProjector(), SqlHistoryView),
            (RegistrationProjector(), SqlRegistrationView),
        ]

    def auditor(self) -> Auditor:
        """The auditor's reads: the history view, and the event stores for payloads."""
        return Auditor(HistoryQueries(self.reader, HistoryProjector.upstream), self.applications)

    def projection_upstreams(self) -> dict[str, tuple[str, ...]]:
        """Which applications each projection reads (no side effects)."""
        return {projector.name: projector.upstream for projector, _ in self.projections()}

    def sql_projections(self) -> list[SqlProjection]:
        """Every projection with its tables and upstream applications, to run or rebuild."""
        return [
            SqlProjection(
                self.engine, projector, view, self.applications, self.settings.projection_batch_size
            )
            for projector, view in self.projections()
        ]

    def projection_runners(self) -> list[ProjectionRunner[Any]]:
        """One runner per projection, each tracking its own positions."""
        return [projection.runner() for projection in self.sql_projections()]

    def wakeup(self, projection: SqlProjection) -> Wakeup:
        """What wakes an idle runner: LISTEN on PostgreSQL, polling on SQLite."""
        return wakeup_for(
            projection.upstream_apps,
            self.settings.database_url,
            self.settings.poll_interval_seconds,
        )

    def projection_statuses(self) -> list[ProjectionStatus]:
        """Each projection's versions, positions and lag (for operators and monitoring)."""
        return [projection_status(projection) for projection in self.sql_projections()]

    def catch_up(self) -> int:
        """Brings every projection up to date now, rebuilding outdated ones first."""
        total = 0
        for projection in self.sql_projections():
            rebuild_if_outdated(projection)
            total += projection.runner().catch_up()
        return total

    def follow_view_changes(self) -> None:
        """Starts following projection notifications (PostgreSQL; for HTTP processes)."""
        if self.view_changes is not None:
            self.view_changes.start()

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.view_changes is not None:
            self.view_changes.stop()
        self.usage.flush()
        for app in self.applications.values():
            app.close()
        self.reader.close()
        self.engine.dispose()
        self.service_engine.dispose()


def build(settings: Settings) -> Container:
    """Wires a container; creates missing tables so a fresh install just works."""
    engine = make_engine(settings)
    service = make_service_engine(settings, engine)
    # Workers and hosts start together; creating tables and the event store's
    # functions concurrently collides on PostgreSQL, so one process does it at a time.
    with startup_lock(engine):
        create_tables(engine, view_tables())
        create_tables(service, service_tables())
        platform = PlatformApplication(
            eventstore_env(settings, PlatformApplication.name),
            auth_cache_seconds=settings.auth_cache_seconds,
        )
        registration = RegistrationApplication(
            eventstore_env(settings, RegistrationApplication.name)
        )
    reads = Reader(engine)
    changes = ViewChanges(settings.database_url) if settings.database_url else None
    return Container(
        settings=settings,
        reader=reads,
        engine=engine,
        service_engine=service,
        platform=platform,
        registration=registration,
        platform_queries=PlatformQueries(reads, changes),
        registration_queries=RegistrationQueries(reads),
        positions=Positions(reads, changes=changes),
        view_changes=changes,
        rate_limiter=SqlRateLimiter(service, settings.rate_window_seconds),
        idempotency=IdempotencyStore(service, settings.idempotency_ttl_seconds),
        usage=KeyUsageRecorder(engine, settings.usage_flush_seconds),
        applications={platform.name: platform, registration.name: registration},
    )
