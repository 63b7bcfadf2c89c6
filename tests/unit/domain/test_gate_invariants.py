"""Random scans at a random plan keep occupancy, capacities, nonces and rebuilds honest."""

from __future__ import annotations

import copy
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.access import badge_code
from domain.access.credential import CodeCheck, Credential, CredentialState
from domain.access.credential_snapshot import CredentialSnapshot
from domain.access.gate import AnnulWindowClosed, Gate
from domain.access.scan import Decision, Passage, Scan, ScanResult
from domain.access.venue import Venue
from tests.unit.domain.gate_fixtures import NOON, issued

CATEGORIES = ["press", "crew", "guest"]
PEOPLE = 6
capacities = st.one_of(st.none(), st.integers(0, 3))
policies = st.sampled_from(["SINGLE_ENTRY", "REENTRY_AFTER_EXIT", "UNLIMITED"])
ways = st.sampled_from(["ENTRY", "EXIT", "BOTH"])
# How each participant starts; "reissue" leaves them an old, superseded code to show.
KINDS = ["valid", "valid", "suspend", "revoke", "unapprove", "blocked", "reissue"]
CODES = st.sampled_from(["current", "current", "current", "old", "stranger", "garbage"])


@dataclass
class Person:
    credential: Credential
    code: str
    old_codes: list[str] = field(default_factory=list)


class GateScans(RuleBasedStateMachine):
    """Scans, annulments, batches and plan or credential changes, with invariants after each."""

    @initialize(
        caps=st.tuples(capacities, capacities, capacities, capacities),
        reentry=st.tuples(policies, policies, policies, policies),
        gates=st.lists(st.tuples(st.integers(0, 3), ways), min_size=3, max_size=7),
        categories=st.lists(st.sampled_from(CATEGORIES), min_size=PEOPLE, max_size=PEOPLE),
        kinds=st.lists(st.sampled_from(KINDS), min_size=PEOPLE, max_size=PEOPLE),
    )
    def build(
        self,
        caps: tuple[int | None, ...],
        reentry: tuple[str, ...],
        gates: list[tuple[int, str]],
        categories: list[str],
        kinds: list[str],
    ) -> None:
        self.venue = Venue(tenant_id=uuid.uuid4(), event_id=uuid.uuid4())
        add = self.venue.add_zone
        arena = add("arena", "Arena", caps[0], None, reentry[0])
        vip = add("vip", "VIP", caps[1], arena, reentry[1])
        box = add("box", "Box", caps[2], vip, reentry[2])
        hall = add("hall", "Hall", caps[3], None, reentry[3])
        self.zones = [arena, vip, box, hall]
        window = {
            "starts_at": NOON + timedelta(minutes=10),
            "ends_at": NOON + timedelta(minutes=40),
        }
        rules = [{"category": "press"}, {"category": "crew", "windows": [window]}]
        self.venue.replace_zone_rules(vip, rules, CATEGORIES)
        self.venue.replace_zone_rules(
            hall, [{"category": "guest", "windows": [window]}, {"category": "crew"}], CATEGORIES
        )
        self.checkpoints = [
            self.venue.add_checkpoint(f"g{n}", way, self.zones[zone])
            for n, (zone, way) in enumerate(gates)
        ]
        self.people = [Person(*issued(category)) for category in categories]
        self.gate = Gate(self.venue, [CredentialSnapshot.of(p.credential) for p in self.people])
        for person, kind in enumerate(kinds):
            if kind == "blocked":
                self.screen(person, blocked=True)
            elif kind != "valid":
                self.change_credential(person, kind)
        self.clock = NOON
        self.nonces = 0
        self.scans: list[Scan] = []
        self.log: list[Decision] = []
        self.allowance = {z: self._cap(z) for z in self.zones}

    # Steps

    @rule(
        person=st.integers(0, PEOPLE - 1),
        code=CODES,
        checkpoint=st.integers(0, 6),
        passage=st.sampled_from(Passage),
        forced=st.booleans(),
        device=st.sampled_from(["d1", "d2"]),
    )
    def scan(
        self, person: int, code: str, checkpoint: int, passage: Passage, forced: bool, device: str
    ) -> None:
        scan = self._scan(person, code, checkpoint, passage, forced, device, self.clock, False)
        decision = self.gate.scan(scan)
        if code in ("stranger", "garbage"):
            assert decision.result is ScanResult.UNKNOWN_CREDENTIAL
        self._check_decision(scan, decision)
        self.log.append(decision)
        self.scans.append(scan)

    @precondition(lambda self: self.scans)
    @rule(pick=st.integers(0, 1000), later=st.integers(0, 3))
    def replay_a_nonce(self, pick: int, later: int) -> None:
        first = self.scans[pick % len(self.scans)]
        again = Scan(
            first.badge_code,
            first.checkpoint_id,
            first.passage,
            first.device_id,
            first.nonce,
            first.scanned_at + timedelta(minutes=later),
            first.forced,
            first.offline,
        )
        before = copy.deepcopy(self.gate.ledger)
        decision = self.gate.scan(again)
        assert decision == self.gate.ledger.decisions[first.key]
        assert self.gate.ledger == before

    @precondition(lambda self: self.scans)
    @rule(pick=st.integers(0, 1000))
    def annul(self, pick: int) -> None:
        key = self.scans[pick % len(self.scans)].key
        already = self.gate.ledger.annulments.get(key)
        try:
            annulment = self.gate.annul(*key, self.clock)
        except AnnulWindowClosed:
            assert already is None
            return
        if already is not None:
            before = copy.deepcopy(self.gate.ledger)
            assert annulment is already
            self.gate.apply(annulment)
            assert self.gate.ledger == before
            return
        original = self.gate.ledger.decisions[key]
        if not original.ok:
            assert annulment.entered == annulment.left == ()
        self._check_room(annulment)
        self.gate.apply(annulment)
        self.log.append(annulment)

    @rule(
        batch=st.lists(
            st.tuples(
                st.integers(0, PEOPLE - 1),
                CODES,
                st.integers(0, 6),
                st.sampled_from(Passage),
                st.integers(0, 20),
            ),
            min_size=1,
            max_size=6,
        ),
        retry=st.booleans(),
    )
    def offline_batch(self, batch: list[tuple[int, str, int, Passage, int]], retry: bool) -> None:
        scans = [
            self._scan(p, c, g, way, False, "offline", self.clock - timedelta(minutes=ago), True)
            for p, c, g, way, ago in batch
        ]
        ledger = copy.deepcopy(self.gate.ledger)
        decisions = self.gate.decide_batch(scans, recorded_at=self.clock)
        assert len(decisions) == len(scans)
        for scan, decision in zip(scans, decisions, strict=True):
            assert decision.key == scan.key
            assert decision.offline
        order = sorted(range(len(scans)), key=lambda n: (scans[n].scanned_at, scans[n].nonce))
        for n in order:  # each entry of the batch found room when its turn came
            for zone_id in decisions[n].entered if decisions[n].ok else ():
                assert ledger.inside(zone_id) < self._cap(zone_id)
            ledger.record(decisions[n])
        assert ledger == self.gate.ledger
        self.log.extend(decisions[n] for n in order)
        self.scans.extend(scans)
        if retry:
            before = copy.deepcopy(self.gate.ledger)
            assert self.gate.decide_batch(scans, recorded_at=self.clock) == decisions
            assert self.gate.ledger == before

    @rule(
        person=st.integers(0, PEOPLE - 1),
        change=st.sampled_from(["suspend", "resume", "revoke", "reissue", "unapprove", "approve"]),
    )
    def change_credential(self, person: int, change: str) -> None:
        who = self.people[person]
        credential = who.credential
        if change == "suspend" and credential.state is CredentialState.ACTIVE:
            credential.suspend(None)
        elif change == "resume" and credential.state is CredentialState.SUSPENDED:
            credential.resume(None)
        elif change == "revoke" and credential.state is not CredentialState.REVOKED:
            credential.revoke(None)
        elif change == "reissue":
            who.old_codes.append(who.code)
            who.code = badge_code.generate(credential.id)
            credential.reissue(badge_code.digest(who.code))
        elif change in ("unapprove", "approve"):
            version = credential.participant_version + 1
            approved = change == "approve"
            credential.follow_participant(
                approved, "approved" if approved else "withdrawn", version
            )
        self.gate.update_credential(CredentialSnapshot.of(credential))

    @rule(person=st.integers(0, PEOPLE - 1), blocked=st.booleans())
    def screen(self, person: int, blocked: bool) -> None:
        participant_id = self.people[person].credential.participant_id
        if blocked:
            self.gate.block(participant_id)
        else:
            self.gate.unblock(participant_id)

    @rule(zone=st.integers(0, 3), capacity=capacities)
    def change_capacity(self, zone: int, capacity: int | None) -> None:
        zone_id = self.zones[zone]
        self.venue.change_zone_capacity(zone_id, capacity)
        self.allowance[zone_id] = max(self._cap(zone_id), self.gate.inside(zone_id))

    @rule(checkpoint=st.integers(0, 6))
    def toggle_checkpoint(self, checkpoint: int) -> None:
        checkpoint_id = self.checkpoints[checkpoint % len(self.checkpoints)]
        if self.venue.checkpoint(checkpoint_id).active:
            self.venue.deactivate_checkpoint(checkpoint_id)
        else:
            self.venue.activate_checkpoint(checkpoint_id)

    @rule(minutes=st.integers(1, 4))
    def time_passes(self, minutes: int) -> None:
        self.clock += timedelta(minutes=minutes)

    @rule(zone=st.one_of(st.none(), st.integers(0, 3)))
    def check_out(self, zone: int | None) -> None:
        zone_id = None if zone is None else self.zones[zone]
        self.nonces += 1
        decisions = self.gate.check_out_all(self.clock, f"out{self.nonces}", zone_id)
        for decision in decisions:
            self.gate.apply(decision)
        self.log.extend(decisions)
        left = self.gate.ledger.whereabouts
        assert not left if zone_id is None else not self.gate.who_is_inside(zone_id)

    # Invariants

    @invariant()
    def occupancy_is_what_the_first_recorded_moves_add_up_to(self) -> None:
        counted: Counter[UUID] = Counter()
        seen: set[tuple[bool, tuple[str, str]]] = set()
        for decision in self.log:
            mark = (decision.annulment, decision.key)
            if not decision.ok or mark in seen:
                continue
            seen.add(mark)
            counted.update(decision.entered)
            counted.subtract(decision.left)
        for zone_id in self.zones:
            assert self.gate.inside(zone_id) == counted[zone_id]
            assert self.gate.inside(zone_id) == len(self.gate.who_is_inside(zone_id))

    @invariant()
    def no_zone_holds_more_than_it_may(self) -> None:
        for zone_id in self.zones:
            inside = self.gate.inside(zone_id)
            assert inside <= self.allowance[zone_id]
            self.allowance[zone_id] = max(self._cap(zone_id), inside)

    @invariant()
    def everyone_inside_a_zone_is_inside_the_zones_around_it(self) -> None:
        for zones in self.gate.ledger.whereabouts.values():
            assert zones == tuple(z.id for z in self.venue.zone_chain(zones[0]))

    @invariant()
    def the_recorded_decisions_rebuild_the_ledger(self) -> None:
        rebuilt = Gate(self.venue)
        for decision in self.log:
            rebuilt.apply(decision)
        assert rebuilt.ledger == self.gate.ledger

    # Helpers

    def _cap(self, zone_id: UUID) -> float:
        capacity = self.venue.zone(zone_id).capacity
        return float("inf") if capacity is None else capacity

    def _scan(
        self,
        person: int,
        code: str,
        checkpoint: int,
        passage: Passage,
        forced: bool,
        device: str,
        at: datetime,
        offline: bool,
    ) -> Scan:
        who = self.people[person]
        badge = {
            "current": who.code,
            "old": who.old_codes[-1] if who.old_codes else who.code,
            "stranger": badge_code.generate(uuid.uuid4()),
            "garbage": "NOT-A-BADGE",
        }[code]
        self.nonces += 1
        checkpoint_id = self.checkpoints[checkpoint % len(self.checkpoints)]
        return Scan(badge, checkpoint_id, passage, device, f"n{self.nonces}", at, forced, offline)

    def _check_decision(self, scan: Scan, decision: Decision) -> None:
        if not decision.ok:
            assert decision.entered == decision.left == ()
            return
        snapshot = self.gate.credentials[decision.credential_id]  # type: ignore[index]
        assert (
            snapshot.check(scan.badge_code) is CodeCheck.VALID
            or scan.forced
            or (scan.passage is Passage.EXIT)
        )
        self._check_room(decision)

    def _check_room(self, decision: Decision) -> None:
        """A decision about to be applied (or just applied) never fills a zone past its capacity."""
        for zone_id in decision.entered:
            assert self.gate.inside(zone_id) <= self._cap(zone_id)


TestRandomGateScansKeepOccupancyHonest = GateScans.TestCase
TestRandomGateScansKeepOccupancyHonest.settings = settings(stateful_step_count=60)
