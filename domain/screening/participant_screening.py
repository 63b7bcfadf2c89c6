"""A participant's screening record: every decision that stopped them, or let them go again.

One aggregate per participant (its id derived from theirs), started by the first
decision that is not a clear; a later clear is recorded only when it lifts a hold or
a block. Each decision keeps its explanation and what caused it (a registration
domain event, an entry added or removed), so auditors see why someone was stopped.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.screening.blacklist_match import Decision, Outcome

# Fixed for good: every screening record id ever handed out was derived with it.
SCREENING_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:screening:participant")


@lru_cache(maxsize=4096)
def screening_id(participant_id: UUID) -> UUID:
    """The id of the participant's screening record, whether or not it exists yet."""
    return uuid5(SCREENING_NAMESPACE, str(participant_id))


def decision_id(participant_id: UUID, version: int) -> UUID:
    """The id of the decision recorded at that version of the participant's record."""
    return uuid5(screening_id(participant_id), str(version))


class ParticipantScreening(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Started(Aggregate.Created):
        """A participant's screening record was started, by a decision that stopped them."""

        tenant_id: UUID
        participant_id: UUID
        event_id: UUID

    class Screened(Aggregate.Event):
        """Screening decided about the participant: clear, hold or block, and why."""

        decision_id: UUID
        outcome: str  # clear, hold or block
        entry_id: UUID | None  # the blacklist entry that decided; null for a clear
        explanation: dict[str, Any]  # the rule, the fields that agreed, similarities
        cause: str  # what was screened: registration:<id>@<version>, blacklist:<entry id>

    @event(Started)
    def __init__(self, tenant_id: UUID, participant_id: UUID, event_id: UUID) -> None:
        self.tenant_id = tenant_id
        self.participant_id = participant_id
        self.event_id = event_id
        self.outcome = Outcome.CLEAR
        self.entry_id: UUID | None = None
        self.decision_id: UUID | None = None

    @staticmethod
    def create_id(tenant_id: UUID, participant_id: UUID, event_id: UUID) -> UUID:
        del tenant_id, event_id
        return screening_id(participant_id)

    def differs(self, decision: Decision) -> bool:
        """Whether the decision changes what stands (the same one again records nothing)."""
        return (decision.outcome, decision.entry_id) != (self.outcome, self.entry_id)

    def record(self, decision: Decision, cause: str) -> None:
        """Records the decision if it changes what stands."""
        if not self.differs(decision):
            return
        explanation = decision.explanation
        if decision.outcome is Outcome.CLEAR:
            # A clear is recorded only to lift what stood: say what it lifts.
            explanation = {"rule": "no-match", "lifts": str(self.decision_id)}
        self._screened(
            decision_id=decision_id(self.participant_id, self.version + 1),
            outcome=decision.outcome.value,
            entry_id=decision.entry_id,
            explanation=explanation,
            cause=cause,
        )

    @event(Screened)
    def _screened(
        self,
        decision_id: UUID,
        outcome: str,
        entry_id: UUID | None,
        explanation: dict[str, Any],
        cause: str,
    ) -> None:
        del explanation, cause  # for the record only
        self.outcome = Outcome(outcome)
        self.entry_id = entry_id
        self.decision_id = decision_id
