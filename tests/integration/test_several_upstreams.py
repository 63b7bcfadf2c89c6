"""One projection fed by two applications' logs, each tracked on its own."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, func, select

from adapters.projection.runner import ProjectionRunner
from adapters.projection.tracking import projection_tracking
from adapters.settings import Settings
from adapters.sql.engines import make_engine
from adapters.sql.eventstore import eventstore_env
from adapters.sql.schema import create_tables
from domain.platform.application import PlatformApplication
from domain.platform.tenant import Tenant
from domain.shared.application import AccreditApplication
from projections.projector import Projector, on

counts_metadata = MetaData()
counts = Table(
    "test_counts",
    counts_metadata,
    Column("source", String(40), primary_key=True),
    Column("seen", Integer, nullable=False),
)


class Ticket(Aggregate):
    @event("Sold")
    def __init__(self, label: str) -> None:
        self.label = label


class BoxOffice(AccreditApplication):
    name = "boxoffice"


class CountingView:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def seen(self, source: str) -> None:
        updated = self.conn.execute(
            counts.update().where(counts.c.source == source).values(seen=counts.c.seen + 1)
        ).rowcount
        if not updated:
            self.conn.execute(counts.insert().values(source=source, seen=1))


class CountingProjector(Projector[CountingView]):
    name = "counting"
    upstream = ("platform", "boxoffice")

    @on(Tenant.Created)
    def _tenant(self, e: Any, view: CountingView) -> None:
        view.seen("tenants")

    @on(Ticket.Sold)
    def _ticket(self, e: Any, view: CountingView) -> None:
        view.seen("tickets")


def seen(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {r.source: r.seen for r in conn.execute(select(counts))}


def test_a_projection_reads_two_applications_and_tracks_each(any_settings: Settings) -> None:
    engine = make_engine(any_settings)
    create_tables(engine)
    counts_metadata.create_all(engine)
    platform = PlatformApplication(eventstore_env(any_settings, "platform"))
    boxoffice = BoxOffice(eventstore_env(any_settings, "boxoffice"))
    runner = ProjectionRunner(
        engine,
        CountingProjector(),
        CountingView,
        {"platform": platform, "boxoffice": boxoffice},
        batch_size=2,
        announce=False,
    )
    for n in range(3):
        platform.create_tenant(f"Expo {n}")
    for n in range(5):
        boxoffice.save(Ticket(label=f"seat {n}"))

    runner.catch_up()
    assert seen(engine) == {"tenants": 3, "tickets": 5}

    boxoffice.save(Ticket(label="late seat"))
    runner.catch_up()
    assert seen(engine) == {"tenants": 3, "tickets": 6}
    with engine.connect() as conn:
        positions = dict(
            conn.execute(
                select(projection_tracking.c.upstream, projection_tracking.c.position).where(
                    projection_tracking.c.projection == "counting"
                )
            ).all()
        )
        assert positions == {"platform": 3, "boxoffice": 6}
        assert conn.execute(select(func.count()).select_from(counts)).scalar_one() == 2
    engine.dispose()
