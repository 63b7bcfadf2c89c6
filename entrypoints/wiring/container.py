"""The composition root: builds applications, stores and views from one Settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine

from adapters.projection.rebuild import rebuild_if_outdated
from adapters.projection.runner import ProjectionRunner
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.sql_view import SqlView
from adapters.projection.status import ProjectionStatus, projection_status
from adapters.projection.tracking import Positions
from adapters.projection.view_changes import ViewChanges
from adapters.projection.wakeup import Wakeup, wakeup_for
from adapters.service.auth_failures import WINDOW_SECONDS, FailedAuthentications
from adapters.service.idempotency import IdempotencyStore
from adapters.service.key_positions import KeyPositions
from adapters.service.ratelimit import SqlRateLimiter
from adapters.service.usage import KeyUsageRecorder
from adapters.settings import Settings
from adapters.sql.engines import make_engine, make_service_engine
from adapters.sql.eventstore import cipher
from adapters.sql.eventstore_pool import share_one_pool
from adapters.sql.reader import Reader
from adapters.sql.schema import create_tables, service_tables, startup_lock, view_tables
from domain.platform.application import PlatformApplication
from domain.shared.application import AccreditApplication
from domain.shared.bulk_kinds import BulkKind
from entrypoints.wiring.context import Context, ViewAccess
from projections.projector import Projector

A = TypeVar("A", bound=AccreditApplication)
Q = TypeVar("Q")


@dataclass
class Container:
    """Everything one process needs, built once per process from the list of contexts."""

    settings: Settings
    contexts: tuple[Context, ...]
    engine: Engine  # the projection tables (and their tracking)
    service_engine: Engine  # rate limits and idempotency records
    reader: Reader
    positions: Positions
    rate_limiter: SqlRateLimiter
    idempotency: IdempotencyStore
    key_positions: KeyPositions  # where each key's commands got to, for its reads
    usage: KeyUsageRecorder
    # None when ACCREDIT_AUTH_FAILURES_PER_MINUTE is off.
    auth_failures: FailedAuthentications | None = None
    applications: dict[str, AccreditApplication] = field(default_factory=dict)
    queries: dict[type[Any], object] = field(default_factory=dict)
    view_changes: ViewChanges | None = None
    # What a context started in this process that must stop with it (threads, connections).
    closers: list[Callable[[], None]] = field(default_factory=list)

    def app(self, cls: type[A]) -> A:
        """The application of that class."""
        for application in self.applications.values():
            if isinstance(application, cls):
                return application
        raise LookupError(f"no context wires a {cls.__name__}")

    def bulk_kinds(self) -> dict[str, BulkKind]:
        """Every context's bulk actions, by name."""
        kinds: dict[str, BulkKind] = {}
        for context in self.contexts:
            for kind in context.bulk_kinds(self) if context.bulk_kinds else ():
                if kinds.setdefault(kind.name, kind) is not kind:
                    raise ValueError(f"two contexts offer the bulk action {kind.name!r}")
        return kinds

    def query(self, cls: type[Q]) -> Q:
        """The read model of that class."""
        found = self.queries.get(cls)
        if not isinstance(found, cls):
            raise LookupError(f"no context wires a {cls.__name__}")
        return found

    @property
    def platform(self) -> PlatformApplication:
        """The platform every context runs on: tenants, and the keys callers present."""
        return self.app(PlatformApplication)

    def projections(self) -> list[tuple[Projector[Any], type[SqlView]]]:
        """Every projection of every context: its projector and the view it writes."""
        names = tuple(self.applications)
        return [(p.make(names), p.view) for c in self.contexts for p in c.projections]

    def projection_upstreams(self) -> dict[str, tuple[str, ...]]:
        """Which applications each projection reads (no side effects)."""
        return {projector.name: projector.upstream for projector, _ in self.projections()}

    def projection_versions(self) -> dict[str, int]:
        """Each projection's version in this code (no side effects)."""
        return {projector.name: projector.version for projector, _ in self.projections()}

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

    def start_serving(self) -> None:
        """Starts what a serving process runs beside its requests (HTTP processes)."""
        self.follow_view_changes()
        # Key usage is written by a thread of its own, so no request waits for the views.
        self.usage.start()

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def on_close(self, close: Callable[[], None]) -> None:
        """Has `close` called first when the container closes."""
        self.closers.append(close)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()
        self.closers.clear()
        if self.view_changes is not None:
            self.view_changes.stop()
        self.usage.close()
        for app in self.applications.values():
            app.close()
        self.reader.close()
        self.engine.dispose()
        self.service_engine.dispose()


def assemble(settings: Settings, contexts: Sequence[Context]) -> Container:
    """Wires a container for these contexts; creates missing tables so a fresh install works."""
    names = [c.name for c in contexts]
    if len(set(names)) != len(names):
        raise ValueError(f"two contexts share a name: {names}")
    engine = make_engine(settings)
    service = make_service_engine(settings, engine)
    # Workers and hosts start together; creating tables and the event store's
    # functions concurrently collides on PostgreSQL, so one process does it at a time.
    with startup_lock(engine):
        create_tables(engine, view_tables())
        create_tables(service, service_tables())
        applications: dict[str, AccreditApplication] = {}
        # A context extending another's application is made in its place.
        extensions = {c.extends: c for c in contexts if c.extends is not None}
        for context in contexts:
            if context.extends is not None:
                continue
            application = extensions.get(context.name, context).new_application(settings)
            if application is not None:
                applications[application.name] = application
    share_one_pool(applications.values(), settings)
    reads = Reader(engine, idle_seconds=settings.pool_idle_seconds)
    changes = ViewChanges(settings.database_url) if settings.database_url else None
    access = ViewAccess(reads, changes, tuple(applications), applications)
    queries: dict[type[Any], object] = {}
    for context in contexts:
        for make in context.queries:
            made = make(access)
            queries[type(made)] = made
    failures = None
    if settings.auth_failures_per_minute is not None:
        # A limiter of its own: its window is a minute whatever the keys' rate window is.
        limiter = SqlRateLimiter(service, WINDOW_SECONDS)
        failures = FailedAuthentications(limiter, settings.auth_failures_per_minute)
    return Container(
        settings=settings,
        contexts=tuple(contexts),
        reader=reads,
        engine=engine,
        service_engine=service,
        positions=Positions(reads, changes=changes),
        view_changes=changes,
        rate_limiter=SqlRateLimiter(service, settings.rate_window_seconds),
        idempotency=IdempotencyStore(
            service, settings.idempotency_ttl_seconds, cipher=cipher(settings)
        ),
        key_positions=KeyPositions(service),
        usage=KeyUsageRecorder(engine, settings.usage_flush_seconds),
        auth_failures=failures,
        applications=applications,
        queries=queries,
    )
