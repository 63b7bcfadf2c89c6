"""Whatever the scans, each count of the occupancy is the moves in minus the moves out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.access.access_log_queries import AccessLogFilter, AccessLogQueries
from adapters.access.occupancy_queries import OccupancyQueries
from adapters.settings import Settings
from domain.access.application import AccessApplication
from domain.access.scan import Decision, Passage, ScanResult
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.integration.test_access_reports import START, Gates

ACTIONS = ("arena", "vip", "leave-vip", "leave", "annul", "check-out")
scans = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 3)), max_size=25)


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


class Day:
    """Decisions as a gate would take them for four people, and where each one is."""

    def __init__(self, gates: Gates) -> None:
        self.gates = gates
        self.people = [uuid4() for _ in range(4)]
        self.where: dict[UUID, set[UUID]] = {p: set() for p in self.people}
        self.last: Decision | None = None
        self.minutes = 0

    def act(self, action: str, who: int) -> list[Decision]:
        self.minutes += 7
        at = START + timedelta(minutes=self.minutes)
        g, person = self.gates, self.people[who]
        inside = self.where[person]
        if action == "annul":
            last, self.last = self.last, None
            if last is None:
                return []
            undo = g.annulment(last, at)
            self._moved(last.participant_id, undo.entered, undo.left)
            return [undo]
        if action == "check-out":
            out = [
                g.decision(
                    p,
                    at,
                    Passage.EXIT,
                    device_id="check-out",
                    checkpoint_id=None,
                    left=tuple(sorted(z, key=lambda z: z != g.vip)),
                )
                for p, z in self.where.items()
                if z
            ]
            for d in out:
                self._moved(d.participant_id, (), d.left)
            self.last = None
            return out
        wanted: dict[str, tuple[tuple[UUID, ...], tuple[UUID, ...]]] = {
            "arena": ((g.arena,), ()),
            "vip": ((g.vip,) if g.arena in inside else (g.vip, g.arena), ()),
            "leave-vip": ((), (g.vip,)),
            "leave": ((), (g.vip, g.arena) if g.vip in inside else (g.arena,)),
        }
        entered, left = wanted[action]
        if any(z in inside for z in entered) or any(z not in inside for z in left):
            refusal = ScanResult.NOT_INSIDE if left else ScanResult.ALREADY_INSIDE
            decision = g.decision(person, at, Passage.EXIT if left else Passage.ENTRY, refusal)
        else:
            passage = Passage.EXIT if left else Passage.ENTRY
            decision = g.decision(person, at, passage, entered=entered, left=left)
            self._moved(person, entered, left)
        self.last = decision
        return [decision]

    def _moved(self, who: UUID | None, entered: tuple[UUID, ...], left: tuple[UUID, ...]) -> None:
        assert who is not None
        self.where[who] -= set(left)
        self.where[who] |= set(entered)


def test_counts_are_moves_in_minus_moves_out_and_match_who_is_inside(
    container: Container,
) -> None:
    @settings(max_examples=8, deadline=None)
    @given(scans)
    def check(actions: list[tuple[str, int]]) -> None:
        gates = Gates(container.app(AccessApplication))
        day = Day(gates)
        recorded = 0
        for action, who in actions:
            decisions = day.act(action, who)
            if decisions:
                gates.record(*decisions)
                recorded += sum(not d.annulment for d in decisions)
        container.catch_up()
        queries = container.query(OccupancyQueries)
        now = queries.occupancy(gates.tenant, gates.event)

        zones = {z.zone_id: z for z in now.zones}
        for zone_id in (gates.arena, gates.vip):
            expected = {p for p, z in day.where.items() if zone_id in z}
            inside = queries.inside(gates.tenant, gates.event, zone_id, 200, None).items
            buckets = queries.buckets(gates.tenant, gates.event, zone_id, (None, None), 200, None)
            assert {r.participant_id for r in inside} == expected
            assert zones[zone_id].inside == len(expected)
            assert sum(b.entries - b.exits for b in buckets.items) == len(expected)
            assert zones[zone_id].peak >= zones[zone_id].inside
        present = {p for p, z in day.where.items() if z}
        event = queries.buckets(gates.tenant, gates.event, None, (None, None), 200, None)
        assert now.inside == len(present)
        assert sum(b.entries - b.exits for b in event.items) == len(present)
        log = container.query(AccessLogQueries)
        assert len(log.scans(gates.tenant, gates.event, AccessLogFilter(), 200, None).items) == (
            recorded
        )

    check()
