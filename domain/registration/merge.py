"""Merging two registrations of one person, and undoing it.

A merge joins the absorbed participant into the survivor. Both must be registrations
for the same managed event: a participant is a person's registration for one event,
so one person's registrations for two events are not duplicates of each other (the
seat, the e-mail index and the workflow all belong to one event).

For each personal detail the merge chooses whose value survives: the survivor's by
default, the absorbed's where the survivor has none, or as the reviewer says. The
survivor records what changed and what it was before; the absorbed records its
status before, and whether it gave back a seat and an e-mail address, so an un-merge
can restore both records with new domain events and nothing rewritten.

The merge itself is a small aggregate (its id is the merge id), saved with both
participants, so an un-merge finds them, and undoes a merge only once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.registration.person import PersonalDetails
from domain.shared.errors import InvalidValue, RuleViolation

MERGED_FIELDS = tuple(f.name for f in fields(PersonalDetails))


class Source(StrEnum):
    """Whose value of a personal detail survives a merge."""

    SURVIVOR = "survivor"
    ABSORBED = "absorbed"


class ParticipantMerged(RuleViolation):
    code = "participant-merged"
    title = "The participant was merged into another; act on the survivor"

    def __init__(self, participant_id: UUID, survivor_id: UUID) -> None:
        super().__init__(f"participant {participant_id} was merged into participant {survivor_id}")
        self.participant_id = participant_id
        self.survivor_id = survivor_id

    def problem_members(self) -> dict[str, Any]:
        # Lets the caller go straight to the record that now stands for the person.
        return {**super().problem_members(), "survivor_id": str(self.survivor_id)}


class MergeAcrossEvents(RuleViolation):
    code = "merge-across-events"
    title = "Only two registrations for the same event can be merged"


class MergeUndone(RuleViolation):
    code = "merge-undone"
    title = "The merge was undone already"


@dataclass(frozen=True)
class MergedState:
    """What an absorbed participant keeps of its merge, for the un-merge."""

    merge_id: UUID
    survivor_id: UUID
    previous_status: str
    seat_released: bool
    email_released: bool


@dataclass(frozen=True)
class Absorption:
    """What a survivor keeps of a merge into it, for the un-merge."""

    absorbed_id: UUID
    changes: dict[str, Any]  # the details the merge set, as recorded
    previous: dict[str, Any]  # their values before


def choose_fields(
    survivor: PersonalDetails, absorbed: PersonalDetails, choices: Mapping[str, str]
) -> dict[str, str]:
    """Whose value each personal detail takes: as chosen, else the survivor's unless empty."""
    for name, source in choices.items():
        if name not in MERGED_FIELDS:
            raise InvalidValue(f"fields.{name}", "not a personal detail")
        if source not in {s.value for s in Source}:
            raise InvalidValue(f"fields.{name}", "must be survivor or absorbed")
    theirs = absorbed.to_record()
    mine = survivor.to_record()
    chosen: dict[str, str] = {}
    for name in MERGED_FIELDS:
        if name in choices:
            chosen[name] = choices[name]
        elif mine[name] is None and theirs[name] is not None:
            chosen[name] = Source.ABSORBED.value
        else:
            chosen[name] = Source.SURVIVOR.value
    return chosen


def merged_details(
    survivor: PersonalDetails, absorbed: PersonalDetails, chosen: Mapping[str, str]
) -> PersonalDetails:
    """The survivor's details once the chosen values of the absorbed are taken."""
    theirs = absorbed.to_record()
    taken = {k: theirs[k] for k, source in chosen.items() if source == Source.ABSORBED}
    return survivor.with_record(taken)


class Merge(Aggregate):
    """One merge of a participant into another, of one tenant's event."""

    # Domain events: a public contract, each with its typed payload.

    class Recorded(Aggregate.Created):
        """A participant was merged into another (the survivor) of the same event."""

        tenant_id: UUID
        event_id: UUID
        survivor_id: UUID
        absorbed_id: UUID
        chosen: dict[str, str]  # personal detail -> survivor or absorbed, every one

    class Undone(Aggregate.Event):
        """The merge was undone: both participants are as they were before it."""

    @event(Recorded)
    def __init__(
        self,
        tenant_id: UUID,
        event_id: UUID,
        survivor_id: UUID,
        absorbed_id: UUID,
        chosen: dict[str, str],
    ) -> None:
        self.tenant_id = tenant_id
        self.event_id = event_id
        self.survivor_id = survivor_id
        self.absorbed_id = absorbed_id
        self.chosen = dict(chosen)
        self.undone = False

    def undo(self) -> None:
        """Marks the merge undone; a merge is undone once."""
        if self.undone:
            raise MergeUndone(f"merge {self.id} was undone already")
        self._undone()

    @event(Undone)
    def _undone(self) -> None:
        self.undone = True
