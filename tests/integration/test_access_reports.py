"""The access log and occupancy read models on both stores, from recorded gate decisions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from adapters.access.access_log_queries import AccessLogFilter, AccessLogQueries
from adapters.access.access_log_view import SqlAccessLogView
from adapters.access.occupancy_queries import OccupancyQueries
from adapters.access.occupancy_tables import access_inside
from adapters.access.occupancy_view import SqlOccupancyView, bucket_of
from adapters.projection.rebuild import rebuild
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.sql_view import SqlView
from adapters.projection.verify import verify
from adapters.settings import Settings
from domain.access.application import AccessApplication
from domain.access.gate_log import GateLog, gate_log_id, recorded
from domain.access.scan import Decision, Passage, ScanResult
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.access.access_log import AccessLogProjector
from projections.access.occupancy import OccupancyProjector
from projections.projector import Projector

START = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


@dataclass
class Gates:
    """An event with an arena and a VIP area inside it, and a gate log to record scans in."""

    app: AccessApplication
    tenant: UUID = field(default_factory=uuid4)
    event: UUID = field(default_factory=uuid4)
    version: int = 0
    nonces: int = 0

    def __post_init__(self) -> None:
        self.arena = self.app.add_zone(self.tenant, self.event, "arena", "Arena", capacity=100).id
        self.vip = self.app.add_zone(
            self.tenant, self.event, "vip", "VIP", capacity=5, parent_id=self.arena
        ).id
        self.gate = self.app.add_checkpoint(self.tenant, self.event, "North", "BOTH", self.arena).id
        self.vip_door = self.app.add_checkpoint(self.tenant, self.event, "VIP", "BOTH", self.vip).id
        log = GateLog(self.tenant, self.event)
        self.app.save(log)
        self.log_id = gate_log_id(self.tenant, self.event)
        self.version = 1

    def record(self, *decisions: Decision) -> None:
        events = []
        for decision in decisions:
            self.version += 1
            events.append(recorded(self.log_id, self.version, decision))
        self.app.save(*events)

    def decision(
        self,
        who: UUID | None,
        at: datetime,
        passage: Passage = Passage.ENTRY,
        result: ScanResult = ScanResult.OK,
        **values: Any,
    ) -> Decision:
        self.nonces += 1
        values.setdefault("checkpoint_id", self.gate)
        values.setdefault("zone_id", self.arena)
        return Decision(
            device_id=values.pop("device_id", "north-1"),
            nonce=values.pop("nonce", f"n{self.nonces}"),
            passage=passage,
            result=result,
            reason=values.pop("reason", "decided"),
            scanned_at=at,
            recorded_at=at + timedelta(seconds=1),
            participant_id=who,
            credential_id=None if who is None else uuid4(),
            **values,
        )

    def enter(self, who: UUID, at: datetime, *zones: UUID) -> Decision:
        return self.decision(who, at, entered=zones or (self.arena,))

    def leave(self, who: UUID, at: datetime, *zones: UUID) -> Decision:
        return self.decision(who, at, Passage.EXIT, left=zones or (self.arena,))

    def annulment(self, original: Decision, at: datetime) -> Decision:
        return Decision(
            device_id=original.device_id,
            nonce=original.nonce,
            passage=original.passage,
            result=ScanResult.OK,
            reason="scanned by mistake",
            scanned_at=original.scanned_at,
            recorded_at=at,
            entered=original.left,
            left=original.entered,
            annulment=True,
        )


def _day(container: Container) -> tuple[Gates, list[UUID], dict[str, Decision]]:
    """Five people in, one on to VIP, a denial, an annulled entry, and an end-of-day check-out."""
    gates = Gates(container.app(AccessApplication))
    people = [uuid4() for _ in range(5)]
    made: dict[str, Decision] = {}
    gates.record(*(gates.enter(p, START + timedelta(minutes=4 * n)) for n, p in enumerate(people)))
    made["vip"] = gates.decision(
        people[0],
        START + timedelta(minutes=20),
        checkpoint_id=gates.vip_door,
        zone_id=gates.vip,
        entered=(gates.vip,),
    )
    made["denied"] = gates.decision(
        uuid4(), START + timedelta(minutes=21), result=ScanResult.REVOKED, reason="revoked"
    )
    made["unknown"] = gates.decision(
        None, START + timedelta(minutes=22), result=ScanResult.UNKNOWN_CREDENTIAL
    )
    made["left"] = gates.leave(people[1], START + timedelta(minutes=31))
    gates.record(made["vip"], made["denied"], made["unknown"], made["left"])
    # Someone let in at 9:40 by mistake: the entry is annulled at 9:42.
    mistaken = gates.decision(
        uuid4(), START + timedelta(minutes=40), device_id="south-1", entered=(gates.arena,)
    )
    gates.record(mistaken)
    made["annulled"] = mistaken
    gates.record(gates.annulment(mistaken, START + timedelta(minutes=42)))
    # The end of day checks out people[2], at no gate.
    made["checkout"] = gates.decision(
        people[2],
        START + timedelta(hours=9),
        Passage.EXIT,
        device_id="check-out",
        nonce=f"eod/{people[2]}",
        checkpoint_id=None,
        left=(gates.arena,),
    )
    gates.record(made["checkout"])
    return gates, people, made


def test_every_decision_is_a_row_with_what_was_decided(container: Container) -> None:
    gates, people, made = _day(container)
    container.catch_up()
    queries = container.query(AccessLogQueries)

    rows = queries.scans(gates.tenant, gates.event, AccessLogFilter(), 50, None).items

    assert len(rows) == 11
    assert [r.scanned_at for r in rows] == sorted(r.scanned_at for r in rows)
    denied = next(r for r in rows if r.nonce == made["denied"].nonce)
    assert (denied.result, denied.reason, denied.direction) == ("REVOKED", "revoked", "ENTRY")
    assert denied.checkpoint_id == gates.gate
    assert denied.zone_id == gates.arena
    unknown = next(r for r in rows if r.result == "UNKNOWN_CREDENTIAL")
    assert (unknown.participant_id, unknown.credential_id) == (None, None)
    annulled = next(r for r in rows if r.nonce == made["annulled"].nonce)
    assert annulled.annulled
    assert annulled.annulled_at == START + timedelta(minutes=42)
    assert annulled.annulment_reason == "scanned by mistake"
    assert sum(r.annulled for r in rows) == 1
    checkout = next(r for r in rows if r.device_id == "check-out")
    assert (checkout.checkpoint_id, checkout.direction, checkout.result) == (None, "EXIT", "OK")
    assert checkout.recorded_at == checkout.scanned_at + timedelta(seconds=1)
    assert [r.version for r in rows if r.participant_id == people[0]] == [2, 7]


def test_filters_combine_and_pages_follow_without_gaps_or_repeats(container: Container) -> None:
    gates, people, _ = _day(container)
    container.catch_up()
    queries = container.query(AccessLogQueries)

    def all_of(where: AccessLogFilter, limit: int) -> list[int]:
        versions, cursor = [], None
        while True:
            page = queries.scans(gates.tenant, gates.event, where, limit, cursor)
            versions += [r.version for r in page.items]
            if (cursor := page.next_cursor) is None:
                return versions

    everything = all_of(AccessLogFilter(), 50)
    assert all_of(AccessLogFilter(), 3) == everything
    assert all_of(AccessLogFilter(), 1) == everything
    assert len(set(everything)) == 11
    refused = AccessLogFilter(results=("REVOKED", "UNKNOWN_CREDENTIAL"))
    assert len(all_of(refused, 1)) == 2
    assert len(all_of(AccessLogFilter(participant_id=people[0]), 1)) == 2
    assert len(all_of(AccessLogFilter(checkpoint_id=gates.vip_door), 1)) == 1
    assert len(all_of(AccessLogFilter(zone_id=gates.vip), 1)) == 1
    assert len(all_of(AccessLogFilter(device_id="check-out"), 1)) == 1
    window = AccessLogFilter(
        scanned_from=START + timedelta(minutes=8), scanned_to=START + timedelta(minutes=21)
    )
    assert len(all_of(window, 2)) == 4  # 9:08, 9:12, 9:16 and 9:20; 9:21 is excluded
    both = AccessLogFilter(results=("OK",), participant_id=people[1])
    assert len(all_of(both, 5)) == 2
    exported = list(queries.export(gates.tenant, gates.event, AccessLogFilter()))
    assert exported == queries.scans(gates.tenant, gates.event, AccessLogFilter(), 50, None).items


def test_inside_is_entries_minus_exits_with_peaks_and_who_is_inside(
    container: Container,
) -> None:
    gates, people, _ = _day(container)
    container.catch_up()
    queries = container.query(OccupancyQueries)

    now = queries.occupancy(gates.tenant, gates.event)
    zones = {z.zone_id: z for z in now.zones}
    arena, vip = zones[gates.arena], zones[gates.vip]
    # In: 0 to 4, then one annulled; out: 1, and 2 at the check-out.
    assert (now.inside, now.peak, now.peak_at) == (3, 5, START + timedelta(minutes=16))
    assert (arena.inside, arena.peak, arena.capacity, arena.name) == (3, 5, 100, "Arena")
    assert (vip.inside, vip.peak, vip.peak_at) == (1, 1, START + timedelta(minutes=20))
    assert vip.parent_id == gates.arena
    for zone_id in (gates.arena, gates.vip):
        buckets = queries.buckets(gates.tenant, gates.event, zone_id, (None, None), 200, None)
        total = sum(b.entries - b.exits for b in buckets.items)
        assert total == zones[zone_id].inside
    event_buckets = queries.buckets(gates.tenant, gates.event, None, (None, None), 200, None)
    assert sum(b.entries - b.exits for b in event_buckets.items) == now.inside
    inside = queries.inside(gates.tenant, gates.event, gates.arena, 50, None).items
    assert [r.participant_id for r in inside] == [people[0], people[3], people[4]]
    assert [r.since for r in inside] == [START + timedelta(minutes=m) for m in (0, 12, 16)]
    with container.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(access_inside)).scalar_one()
    assert rows == arena.inside + vip.inside


def test_quarter_hours_count_entries_exits_denials_and_annulments(container: Container) -> None:
    gates, _, _ = _day(container)
    container.catch_up()
    queries = container.query(OccupancyQueries)

    arena = queries.buckets(gates.tenant, gates.event, gates.arena, (None, None), 200, None)
    counts = {b.bucket_start: (b.entries, b.exits, b.denials, b.annulled) for b in arena.items}

    quarter = timedelta(minutes=15)
    assert counts == {
        START: (4, 0, 0, 0),  # 9:00, 9:04, 9:08, 9:12
        START + quarter: (1, 0, 2, 0),  # 9:16 in; two refused at 9:21, 9:22
        START + 2 * quarter: (1, 2, 0, 1),  # 9:31 out, 9:40 in, annulled (out) at 9:42
        START + timedelta(hours=9): (0, 1, 0, 0),  # the check-out
    }
    bounded = queries.buckets(
        gates.tenant, gates.event, gates.arena, (START + quarter, START + 2 * quarter), 200, None
    )
    assert [b.bucket_start for b in bounded.items] == [START + quarter]
    first = queries.buckets(gates.tenant, gates.event, None, (None, None), 2, None)
    rest = queries.buckets(gates.tenant, gates.event, None, (None, None), 2, first.next_cursor)
    assert [b.bucket_start for b in first.items + rest.items] == sorted(counts)
    assert bucket_of(datetime(2030, 6, 1, 11, 29, 59, 999, tzinfo=UTC)) == datetime(
        2030, 6, 1, 11, 15, tzinfo=UTC
    )


def test_pages_of_who_is_inside_follow_one_another(container: Container) -> None:
    gates = Gates(container.app(AccessApplication))
    people = [uuid4() for _ in range(7)]
    gates.record(*(gates.enter(p, START + timedelta(seconds=n)) for n, p in enumerate(people)))
    container.catch_up()
    queries = container.query(OccupancyQueries)

    seen, cursor = [], None
    while True:
        page = queries.inside(gates.tenant, gates.event, gates.arena, 3, cursor)
        seen.append([r.participant_id for r in page.items])
        if (cursor := page.next_cursor) is None:
            break

    assert seen == [people[0:3], people[3:6], people[6:7]]


def test_another_tenant_reads_nothing_of_the_event(container: Container) -> None:
    gates, _, _ = _day(container)
    container.catch_up()
    stranger = uuid4()

    scans = container.query(AccessLogQueries).scans(
        stranger, gates.event, AccessLogFilter(), 9, None
    )
    occupancy = container.query(OccupancyQueries)
    assert scans.items == []
    assert occupancy.occupancy(stranger, gates.event).zones == []
    assert not occupancy.zone_known(stranger, gates.event, gates.arena)
    assert occupancy.inside(stranger, gates.event, gates.arena, 9, None).items == []


@pytest.mark.parametrize(
    ("projector", "view"),
    [(AccessLogProjector, SqlAccessLogView), (OccupancyProjector, SqlOccupancyView)],
)
def test_a_rebuild_in_small_batches_gives_the_same_tables(
    container: Container, projector: type[Projector[Any]], view: type[SqlView]
) -> None:
    _day(container)
    _day(container)
    live = SqlProjection(container.engine, projector(), view, container.applications, batch_size=3)
    live.runner().catch_up()

    def snapshot() -> list[list[tuple[Any, ...]]]:
        with container.engine.connect() as conn:
            return [
                [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in live.tables
            ]

    before = snapshot()
    rebuild(live)

    assert snapshot() == before
    assert list(verify(live)) == []
    with container.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(live.tables[-1])).scalar_one() > 0
