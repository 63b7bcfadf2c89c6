"""The scan benchmark's final check: the recorded scan decisions replayed against the plan.

Pure: it takes the decisions (and annulments) in log order, and the zones' capacities
and nesting as they were at each point, and finds

- an entry that took a zone over its capacity (a lowered capacity that leaves people
  inside is no violation: only an entry that raises a count past it is);
- a ZONE_FULL answered while every zone the scan would have entered had room;
- the occupancy the moves add up to (entries minus exits, per zone), for comparing
  with the occupancy table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from uuid import UUID

ZONE_FULL = "ZONE_FULL"
SHOWN_MAX = 5  # violations quoted in full; the rest are counted


@dataclass(frozen=True)
class PlanZone:
    """What the check needs of a zone: its capacity (None: no limit) and its parent."""

    capacity: int | None
    parent_id: UUID | None


Plan = Mapping[UUID, PlanZone]


def chain(plan: Plan, zone_id: UUID) -> list[UUID]:
    """The zone and the zones it sits in, innermost first."""
    zones = [zone_id]
    while (parent := plan[zones[-1]].parent_id) is not None:
        zones.append(parent)
    return zones


@dataclass
class Replay:
    """Who is where after each recorded decision, and what broke the capacity rules."""

    plan: Plan
    inside: Counter[UUID] = field(default_factory=Counter)
    entered: Counter[UUID] = field(default_factory=Counter)  # per zone, over the whole run
    left: Counter[UUID] = field(default_factory=Counter)
    peak: Counter[UUID] = field(default_factory=Counter)
    results: Counter[str] = field(default_factory=Counter)
    full_answers: Counter[UUID] = field(default_factory=Counter)  # the zone found full
    over_capacity: list[str] = field(default_factory=list)
    full_with_room: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    annulments: int = 0
    where: dict[UUID, set[UUID]] = field(default_factory=dict)
    # (device, nonce) of each decision, for its annulment: whose it was.
    participants: dict[tuple[str, str], UUID | None] = field(default_factory=dict)

    def decided(
        self,
        position: int,
        device_id: str,
        nonce: str,
        result: str,
        participant_id: UUID | None,
        zone_id: UUID | None,
        entered: Sequence[UUID],
        left: Sequence[UUID],
    ) -> None:
        """Takes in one ScanDecided, at its position in the log."""
        key = (device_id, nonce)
        if key in self.participants:
            self.duplicates.append(f"#{position}: a second decision for device {key}")
            return
        self.participants[key] = participant_id
        self.results[result] += 1
        if result == ZONE_FULL:
            self._check_full(position, participant_id, zone_id)
        if participant_id is not None:
            self._move(position, participant_id, entered, left)

    def annulled(
        self,
        position: int,
        device_id: str,
        nonce: str,
        entered: Sequence[UUID],
        left: Sequence[UUID],
    ) -> None:
        """Takes in one ScanAnnulled: the moves that undid the scan it names."""
        self.annulments += 1
        participant_id = self.participants.get((device_id, nonce))
        if participant_id is not None:
            self._move(position, participant_id, entered, left)

    def _check_full(self, position: int, participant_id: UUID | None, zone_id: UUID | None) -> None:
        if zone_id is None or zone_id not in self.plan:
            self.full_with_room.append(f"#{position}: ZONE_FULL at a zone the plan lacks")
            return
        present = self.where.get(participant_id, set()) if participant_id else set()
        entering = [z for z in chain(self.plan, zone_id) if z not in present]
        for z in entering:
            capacity = self.plan[z].capacity
            if capacity is not None and self.inside[z] >= capacity:
                self.full_answers[z] += 1
                return
        rooms = ", ".join(f"{z}: {self.inside[z]}/{self.plan[z].capacity}" for z in entering)
        self.full_with_room.append(f"#{position}: ZONE_FULL with room ({rooms})")

    def _move(
        self, position: int, participant_id: UUID, entered: Sequence[UUID], left: Sequence[UUID]
    ) -> None:
        present = self.where.setdefault(participant_id, set())
        for z in left:
            present.discard(z)
            self.inside[z] -= 1
            self.left[z] += 1
        for z in entered:
            present.add(z)
            self.inside[z] += 1
            self.entered[z] += 1
            self.peak[z] = max(self.peak[z], self.inside[z])
            zone = self.plan.get(z)
            if zone is not None and zone.capacity is not None and self.inside[z] > zone.capacity:
                self.over_capacity.append(
                    f"#{position}: zone {z} at {self.inside[z]} over its capacity {zone.capacity}"
                )
        if not present:
            del self.where[participant_id]

    def occupancy(self) -> dict[UUID, int]:
        """Entries minus exits, per zone someone is inside."""
        zones = self.entered | self.left
        return {z: n for z in zones if (n := self.entered[z] - self.left[z])}


def occupancy_differences(replayed: Mapping[UUID, int], table: Mapping[UUID, int]) -> list[str]:
    """Where the occupancy table differs from the replayed entries minus exits."""
    return [
        f"zone {z}: table {table.get(z, 0)}, entries minus exits {replayed.get(z, 0)}"
        for z in sorted(set(replayed) | set(table), key=str)
        if table.get(z, 0) != replayed.get(z, 0)
    ]


def quoted(violations: Sequence[str]) -> list[str]:
    """The first few violations, and how many more there were."""
    shown = list(violations[:SHOWN_MAX])
    if len(violations) > SHOWN_MAX:
        shown.append(f"... and {len(violations) - SHOWN_MAX} more")
    return shown
