"""A reviewer's decision on a duplicate candidate: the same person (confirmed) or not.

One per pair, with an id derived from the pair's. A decision holds the fingerprint of
both records' compared fields as the reviewer saw them: a dismissed pair is raised
again only when one of the two records changes in a compared field.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

PAIR_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:duplicate-pair")
REVIEW_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:pair-review")


def pair_id(one: UUID, other: UUID) -> UUID:
    """The id of the pair of two participants, whichever order they come in."""
    first, second = sorted((str(one), str(other)))
    return uuid5(PAIR_NAMESPACE, f"{first}:{second}")


def review_id(pair: UUID) -> UUID:
    return uuid5(REVIEW_NAMESPACE, str(pair))


class Decision(StrEnum):
    CONFIRMED = "CONFIRMED"  # one person registered twice
    DISMISSED = "DISMISSED"  # two people who look alike


class PairReview(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Opened(Aggregate.Created):
        """A reviewer took up a duplicate candidate (the pair of participants)."""

        tenant_id: UUID
        pair_id: UUID
        participant_ids: list[UUID]

    class Confirmed(Aggregate.Event):
        """The reviewer found the two records are one person."""

        pair_id: UUID
        fingerprint: str
        actor: str
        comment: str | None

    class Dismissed(Aggregate.Event):
        """The reviewer found the two records are different people."""

        pair_id: UUID
        fingerprint: str
        actor: str
        comment: str | None

    @staticmethod
    def create_id(pair_id: UUID) -> UUID:
        return review_id(pair_id)

    @event(Opened)
    def __init__(self, tenant_id: UUID, pair_id: UUID, participant_ids: list[UUID]) -> None:
        self.tenant_id = tenant_id
        self.pair_id = pair_id
        self.participant_ids = participant_ids
        self.decision: Decision | None = None
        self.fingerprint: str | None = None

    def decide(self, decision: Decision, fingerprint: str, actor: str, comment: str | None) -> None:
        """Records the decision, unless it repeats the last one on the same records."""
        if (self.decision, self.fingerprint) == (decision, fingerprint):
            return
        record = self._confirmed if decision is Decision.CONFIRMED else self._dismissed
        record(pair_id=self.pair_id, fingerprint=fingerprint, actor=actor, comment=comment)

    @event(Confirmed)
    def _confirmed(self, pair_id: UUID, fingerprint: str, actor: str, comment: str | None) -> None:
        del pair_id, actor, comment
        self.decision, self.fingerprint = Decision.CONFIRMED, fingerprint

    @event(Dismissed)
    def _dismissed(self, pair_id: UUID, fingerprint: str, actor: str, comment: str | None) -> None:
        del pair_id, actor, comment
        self.decision, self.fingerprint = Decision.DISMISSED, fingerprint
