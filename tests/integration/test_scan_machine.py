"""Random scans through the real desk and store keep occupancy, capacities and nonces honest.

Random badges (current, superseded, strangers), gates, directions, nonces (new and
replayed), annulments, offline batches, credential suspensions and capacity
changes go through the desk that serves the scan routes, on SQLite. After each
step: what the occupancy view says is inside is the recorded entries minus exits,
no zone ever held more than its capacity, a replayed nonce changed nothing; at the
end the access log and occupancy tables equal a replay of the history.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from adapters.access.access_log_view import SqlAccessLogView
from adapters.access.occupancy_queries import OccupancyQueries
from adapters.access.occupancy_view import SqlOccupancyView
from adapters.access.scan_desk import Reply, Request, ScanDesk
from adapters.projection.batch_decoder import BatchDecoder
from adapters.projection.notification_log import read_notifications
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.verify import verify
from adapters.settings import Settings
from domain.access.application import AccessApplication
from domain.access.credential_commands import IssuedCode
from domain.access.gate_log import GateLog, gate_log_id
from domain.access.gates import Annulment, ScanBatch
from domain.access.scan import Passage, Scan
from domain.shared.cause import Cause
from entrypoints.wiring.contexts import build
from projections.access.access_log import AccessLogProjector
from projections.access.occupancy import OccupancyProjector

PEOPLE = 5
CAUSE = Cause("test", "scan-machine")


class ScanMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.directory = Path(f"/tmp/accredit-scan-machine-{uuid4().hex}")
        self.container = build(Settings(data_dir=self.directory, demo_tenant=False))
        self.access = self.container.app(AccessApplication)
        self.tenant, self.event = uuid4(), uuid4()
        add = self.access.add_zone
        self.arena = add(self.tenant, self.event, "arena", "Arena", capacity=3).id
        self.vip = add(self.tenant, self.event, "vip", "VIP", 1, self.arena, "UNLIMITED").id
        self.hall = add(self.tenant, self.event, "hall", "Hall", capacity=2).id
        self.zones = [self.arena, self.vip, self.hall]
        self.gates = [
            self.access.add_checkpoint(self.tenant, self.event, name, "BOTH", zone).id
            for name, zone in (("North", self.arena), ("VIP door", self.vip), ("Hall", self.hall))
        ]
        self.people: list[UUID] = []
        self.codes: list[list[str]] = []  # each person's codes, the current one last
        for _ in range(PEOPLE):
            person = uuid4()
            issued = self.access.follow_participant(
                self.tenant, self.event, person, None, "approved", 1
            )
            assert isinstance(issued, IssuedCode)
            self.people.append(person)
            self.codes.append([issued.code])
        self.desk = ScanDesk(self.access)
        self.clock = datetime.now(UTC) - timedelta(hours=2)
        self.desk.clock = lambda: self.clock
        self.sent: list[tuple[str, str]] = []  # (device, nonce) of every scan sent
        self.answers: dict[tuple[str, str], dict[str, Any]] = {}
        self.count = 0

    def teardown(self) -> None:
        if hasattr(self, "container"):
            try:
                self._check_rebuilds()
            finally:
                self.container.close()

    # Helpers

    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=47)
        return self.clock

    def _ask(self, ask: Any) -> Reply:
        (reply,) = self.desk.answer([Request(ask, CAUSE, "key")])
        return reply

    def _scan(self, who: int, which: str, gate: int, exit_: bool, device: str) -> Scan:
        self.count += 1
        codes = self.codes[who]
        code = {"current": codes[-1], "old": codes[0], "stranger": "ACR" + "7" * 48}[which]
        direction = Passage.EXIT if exit_ else Passage.ENTRY
        return Scan(code, self.gates[gate], direction, device, str(self.count), self._tick())

    def _recorded(self) -> list[Any]:
        return list(self.access.events.get(gate_log_id(self.tenant, self.event)))

    def _remember(self, reply: Reply) -> None:
        assert reply.answered is not None
        for decision in reply.answered.decisions:
            if not decision.annulment:
                self.answers.setdefault(decision.key, {"result": decision.result})

    # Rules

    @rule(
        who=st.integers(0, PEOPLE - 1),
        which=st.sampled_from(["current", "current", "current", "old", "stranger"]),
        gate=st.integers(0, 2),
        exit_=st.booleans(),
        forced=st.booleans(),
    )
    def scan(self, who: int, which: str, gate: int, exit_: bool, forced: bool) -> None:
        scan = self._scan(who, which, gate, exit_, "online")
        if forced:
            scan = Scan(
                scan.badge_code,
                scan.checkpoint_id,
                scan.passage,
                "staff",
                scan.nonce,
                scan.scanned_at,
                forced=True,
            )
        self.sent.append(scan.key)
        self._remember(self._ask(ScanBatch(self.tenant, self.event, (scan,))))

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        if not self.sent:
            return
        device, nonce = data.draw(st.sampled_from(self.sent))
        first = self.answers.get((device, nonce))
        before = len(self._recorded())
        # A device sending its scan again, with some other badge even.
        scan = Scan(self.codes[0][-1], self.gates[0], Passage.ENTRY, device, nonce, self._tick())
        reply = self._ask(ScanBatch(self.tenant, self.event, (scan,)))
        assert reply.answered is not None
        assert reply.answered.new == [False]
        if first is not None:
            assert reply.answered.decisions[0].result == first["result"]
        assert len(self._recorded()) == before

    @rule(
        scans=st.lists(
            st.tuples(st.integers(0, PEOPLE - 1), st.integers(0, 2), st.booleans()),
            min_size=1,
            max_size=4,
        ),
        twice=st.booleans(),
    )
    def offline_batch(self, scans: list[tuple[int, int, bool]], twice: bool) -> None:
        batch = tuple(self._scan(w, "current", g, e, "handheld") for w, g, e in scans)
        batch = tuple(
            Scan(
                s.badge_code,
                s.checkpoint_id,
                s.passage,
                s.device_id,
                s.nonce,
                s.scanned_at - timedelta(minutes=30),
                offline=True,
            )
            for s in reversed(batch)
        )
        ask = ScanBatch(self.tenant, self.event, batch)
        first = self._ask(ask)
        self._remember(first)
        self.sent.extend(s.key for s in batch)
        if twice:
            before = len(self._recorded())
            again = self._ask(ask)
            assert again.answered is not None
            assert first.answered is not None
            assert again.answered.decisions == first.answered.decisions
            assert len(self._recorded()) == before

    @rule(data=st.data())
    def annul(self, data: st.DataObject) -> None:
        if not self.sent:
            return
        device, nonce = data.draw(st.sampled_from(self.sent))
        self._tick()
        reply = self._ask(Annulment(self.tenant, self.event, device, nonce))
        # Too late, or refused because a zone is full: an answer all the same.
        assert reply.error is not None or reply.answered is not None

    @rule(who=st.integers(0, PEOPLE - 1), suspend=st.booleans())
    def suspend_or_resume(self, who: int, suspend: bool) -> None:
        credential = self.access.credential(self.tenant, self.people[who])
        if suspend and credential.state.value == "active":
            self.access.suspend_credential(self.tenant, self.people[who], "lost")
        elif not suspend and credential.state.value == "suspended":
            self.access.resume_credential(self.tenant, self.people[who], "found")

    @rule(who=st.integers(0, PEOPLE - 1))
    def reissue(self, who: int) -> None:
        issued = self.access.reissue_credential(self.tenant, self.people[who])
        self.codes[who].append(issued.code)

    @rule(zone=st.integers(0, 2), capacity=st.one_of(st.none(), st.integers(0, 3)))
    def change_capacity(self, zone: int, capacity: int | None) -> None:
        self.access.change_zone_capacity(self.tenant, self.event, self.zones[zone], capacity)

    # Invariants

    @invariant()
    def no_zone_ever_held_more_than_its_capacity_and_the_view_agrees(self) -> None:
        if not hasattr(self, "access"):
            return
        inside: Counter[UUID] = Counter()
        capacity: dict[UUID, int | None] = {}
        for domain_event in self._venue_and_scans():
            if isinstance(domain_event, tuple):
                capacity[domain_event[0]] = domain_event[1]
                continue
            inside.update(domain_event.entered)
            inside.subtract(domain_event.left)
            for zone in domain_event.entered:
                limit = capacity.get(zone)
                assert (
                    limit is None
                    or inside[zone] <= limit
                    or not domain_event_is_entry(domain_event)
                ), (zone, inside[zone], limit)
        self.container.catch_up()
        view = OccupancyQueries(self.container.reader).occupancy(self.tenant, self.event)
        assert {z.zone_id: z.inside for z in view.zones if z.inside} == {
            z: n for z, n in inside.items() if n
        }
        assert all(n >= 0 for n in inside.values())

    def _venue_and_scans(self) -> list[Any]:
        """The capacity changes and the scans' moves, in the order the access log has them."""
        found: list[Any] = []
        notifications = read_notifications(self.access, 0, 100_000)
        for domain_event in BatchDecoder(self.access.mapper).decode(notifications):
            zone_id = getattr(domain_event, "zone_id", None)
            if type(domain_event).__qualname__ in ("Venue.ZoneAdded", "Venue.ZoneCapacityChanged"):
                found.append((zone_id, domain_event.capacity))
            elif isinstance(domain_event, GateLog.ScanDecided | GateLog.ScanAnnulled):
                found.append(domain_event)
        return found

    def _check_rebuilds(self) -> None:
        c = self.container
        for projector, view in (
            (AccessLogProjector, SqlAccessLogView),
            (OccupancyProjector, SqlOccupancyView),
        ):
            live = SqlProjection(c.engine, projector(), view, c.applications)
            live.runner().catch_up()
            assert list(verify(live)) == []


def domain_event_is_entry(domain_event: Any) -> bool:
    """A scan that let someone in (an annulled exit puts them back, under the same rule)."""
    return isinstance(domain_event, GateLog.ScanDecided) and domain_event.direction == "ENTRY"


ScanMachine.TestCase.settings = settings(
    max_examples=10,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_scans_through_the_desk = ScanMachine.TestCase
