"""Scanner devices: each a gate handheld with its own key, nonces and share of the badges.

A device owns its participants (no other device scans them), so what it learns from its
own answers (the zones entered and left) is where they are. Each scan it picks a move
for one of them, by weight: into the arena or the hall from outside, into the VIP area
from the arena (whose capacity makes it fill up and answer ZONE_FULL), out of each, and
now and then a scan the gate must refuse: an entry of someone already inside
(ALREADY_INSIDE) or an exit of someone outside (NOT_INSIDE). The device walks to a gate
of the right zone and direction for the move, as a roaming handheld does.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ARENA, HALL, VIP = "arena", "hall", "vip"
OUTSIDE = "outside"
ENTRY, EXIT, BOTH = "ENTRY", "EXIT", "BOTH"

# (weight, where the participant is, which way, through a gate of which zone)
MOVES: tuple[tuple[int, str, str, str], ...] = (
    (30, OUTSIDE, ENTRY, ARENA),
    (8, OUTSIDE, ENTRY, HALL),
    (14, ARENA, ENTRY, VIP),
    (8, VIP, EXIT, VIP),
    (12, ARENA, EXIT, ARENA),
    (8, HALL, EXIT, HALL),
    (3, ARENA, ENTRY, ARENA),  # already inside: ALREADY_INSIDE
    (1, OUTSIDE, EXIT, HALL),  # not inside: NOT_INSIDE
)
WEIGHTS = [m[0] for m in MOVES]
TRIES = 8  # picks of a move before falling back to the first one with someone to move

# The 20 gates: (zone, direction, how many).
GATES: tuple[tuple[str, str, int], ...] = (
    (ARENA, ENTRY, 5),
    (ARENA, EXIT, 3),
    (ARENA, BOTH, 3),
    (HALL, ENTRY, 2),
    (HALL, EXIT, 2),
    (HALL, BOTH, 1),
    (VIP, ENTRY, 2),
    (VIP, EXIT, 1),
    (VIP, BOTH, 1),
)


@dataclass(frozen=True)
class Layout:
    """The event's zones (code → id) and gates (id, zone code, direction)."""

    zones: Mapping[str, str]
    gates: Sequence[tuple[str, str, str]]

    def gates_for(self, zone: str, way: str) -> list[str]:
        return [g for g, z, d in self.gates if z == zone and d in (way, BOTH)]


@dataclass(frozen=True)
class DeviceSpec:
    """What a client process needs to run one device; picklable."""

    device_id: str
    secret: str
    badges: Sequence[tuple[str, str]]  # (participant id, badge code)
    seed: int


class Pool:
    """A set with O(1) add, remove and random choice."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.index: dict[int, int] = {}

    def add(self, item: int) -> None:
        if item not in self.index:
            self.index[item] = len(self.items)
            self.items.append(item)

    def remove(self, item: int) -> None:
        at = self.index.pop(item, None)
        if at is None:
            return
        last = self.items.pop()
        if at < len(self.items):
            self.items[at] = last
            self.index[last] = at

    def choice(self, rng: random.Random) -> int:
        return self.items[rng.randrange(len(self.items))]

    def __len__(self) -> int:
        return len(self.items)


class Device:
    """One scanner: picks the next scan, and learns from its answer where the person is."""

    def __init__(self, spec: DeviceSpec, layout: Layout) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.nonce = 0
        self.gates = {(z, w): layout.gates_for(z, w) for _, _, w, z in MOVES}
        self.codes = {zone_id: code for code, zone_id in layout.zones.items()}
        self.zones: list[set[str]] = [set() for _ in spec.badges]
        self.pools = {where: Pool() for where in (OUTSIDE, ARENA, VIP, HALL)}
        for n in range(len(spec.badges)):
            self.pools[OUTSIDE].add(n)

    def next_scan(self, now: datetime | None = None) -> tuple[int, dict[str, Any]]:
        """The badge to scan (its index) and the scan's body."""
        where, way, zone = self._move()
        badge = self.pools[where].choice(self.rng)
        self.nonce += 1
        body = {
            "badge_code": self.spec.badges[badge][1],
            "checkpoint_id": self.rng.choice(self.gates[(zone, way)]),
            "direction": way,
            "device_id": self.spec.device_id,
            "nonce": str(self.nonce),
            "scanned_at": (now or datetime.now(UTC)).isoformat(),
            "forced": False,
        }
        return badge, body

    def learn(self, badge: int, answer: Mapping[str, Any]) -> None:
        """Where the badge's holder is now, from the zones the answer entered and left."""
        zones = self.zones[badge]
        self.pools[self._where(zones)].remove(badge)
        zones.difference_update(self.codes.get(z, z) for z in answer.get("left") or ())
        zones.update(self.codes.get(z, z) for z in answer.get("entered") or ())
        self.pools[self._where(zones)].add(badge)

    def _move(self) -> tuple[str, str, str]:
        for _ in range(TRIES):
            _, where, way, zone = self.rng.choices(MOVES, WEIGHTS)[0]
            if self.pools[where]:
                return where, way, zone
        for _, where, way, zone in MOVES:
            if self.pools[where]:
                return where, way, zone
        raise RuntimeError("a device with no badges")

    @staticmethod
    def _where(zones: set[str]) -> str:
        for zone in (VIP, ARENA, HALL):
            if zone in zones:
                return zone
        return OUTSIDE
