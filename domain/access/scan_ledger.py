"""What the recorded scan decisions add up to: who is where, how many are inside each zone.

It reads nothing but the decisions, so applying the recorded ones in order to an
empty ledger rebuilds the live one (the plan may have changed since; the moves
were fixed when each scan was decided).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from uuid import UUID

from domain.access.scan import Decision, Passage, ScanKey


@dataclass
class ScanLedger:
    decisions: dict[ScanKey, Decision] = field(default_factory=dict)
    annulments: dict[ScanKey, Decision] = field(default_factory=dict)
    # Each participant inside some zone: the zones they are in, innermost first.
    whereabouts: dict[UUID, tuple[UUID, ...]] = field(default_factory=dict)
    occupancy: Counter[UUID] = field(default_factory=Counter)
    # OK entries into each zone (not annulled) per participant: single-entry zones read it.
    entered_before: Counter[tuple[UUID, UUID]] = field(default_factory=Counter)
    entries: int = 0
    exits: int = 0
    denials: int = 0
    annulled: int = 0

    def where(self, participant_id: UUID) -> tuple[UUID, ...]:
        return self.whereabouts.get(participant_id, ())

    def inside(self, zone_id: UUID) -> int:
        return self.occupancy[zone_id]

    def who_is_inside(self, zone_id: UUID) -> set[UUID]:
        return {p for p, zones in self.whereabouts.items() if zone_id in zones}

    def record(self, decision: Decision) -> None:
        """Takes a decision in; one recorded already (or a refused annulment) changes nothing."""
        if decision.annulment:
            self._record_annulment(decision)
        elif decision.key not in self.decisions:
            self.decisions[decision.key] = decision
            if not decision.ok:
                self.denials += 1
                return
            self._move(decision)
            if decision.passage is Passage.ENTRY:
                self.entries += 1
                assert decision.participant_id is not None
                for zone_id in decision.entered:
                    self.entered_before[(decision.participant_id, zone_id)] += 1
            else:
                self.exits += 1

    def _record_annulment(self, annulment: Decision) -> None:
        if not annulment.ok or annulment.key in self.annulments:
            return
        self.annulments[annulment.key] = annulment
        self.annulled += 1
        original = self.decisions[annulment.key]
        if not original.ok:
            return
        self._move(annulment)
        if original.passage is Passage.ENTRY:
            self.entries -= 1
            assert original.participant_id is not None
            for zone_id in original.entered:
                self.entered_before[(original.participant_id, zone_id)] -= 1
        else:
            self.exits -= 1

    def _move(self, decision: Decision) -> None:
        participant_id = decision.participant_id
        assert participant_id is not None
        stays = tuple(z for z in self.where(participant_id) if z not in decision.left)
        now = decision.entered + stays
        if now:
            self.whereabouts[participant_id] = now
        else:
            self.whereabouts.pop(participant_id, None)
        self.occupancy.update(decision.entered)
        self.occupancy.subtract(decision.left)
