"""Random histories with merges and un-merges keep seats, e-mails and replays honest."""

from __future__ import annotations

from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from domain.registration.email_index import EmailIndex, email_index_id
from domain.registration.participant import Participant, ParticipantStatus
from domain.shared.errors import NotFound
from tests.unit.domain.test_registration_invariants import RegistrationCommands


class MergeCommands(RegistrationCommands):
    """The registration commands, and merges and un-merges among their participants."""

    def __init__(self) -> None:
        super().__init__()
        self.merges: list[UUID] = []

    @rule(
        survivor=RegistrationCommands.participants,
        absorbed=RegistrationCommands.participants,
        takes_email=st.booleans(),
    )
    def merge(self, survivor: UUID, absorbed: UUID, takes_email: bool) -> None:
        fields = {"email": "absorbed"} if takes_email else {}
        merge_id = self._run(self.app.merge_participants, self.tenant, survivor, absorbed, fields)
        if merge_id is not None:
            self.merges.append(merge_id)

    @precondition(lambda self: bool(self.merges))
    @rule(pick=st.integers(0, 10))
    def unmerge(self, pick: int) -> None:
        # Any merge, in any order: one undone already, or whose survivor was merged since,
        # is refused and leaves no trace.
        self._run(self.app.unmerge, self.tenant, self.merges[pick % len(self.merges)])

    def _live(self) -> list[Participant]:
        return [
            p
            for p in self._participants()
            if not p.has_ended and p.status is not ParticipantStatus.MERGED
        ]

    def _index(self, event_id: UUID, email: str) -> EmailIndex | None:
        try:
            return self.app.load(EmailIndex, email_index_id(event_id, email))
        except NotFound:
            return None

    @invariant()
    def one_live_registration_per_normalised_email(self) -> None:
        live = [(p.event_id, p.details.normalised_email) for p in self._live()]
        assert len(live) == len(set(live))

    @invariant()
    def every_live_participant_holds_its_email_and_no_one_else_holds_one(self) -> None:
        live = {p.id for p in self._live()}
        for p in self._participants():
            index = self._index(p.event_id, p.details.normalised_email)
            holder = index.participant_id if index is not None else None
            # Merged, withdrawn and cancelled participants hold no address.
            assert (holder == p.id) == (p.id in live)

    @invariant()
    def a_merged_participant_points_to_a_participant_of_its_event(self) -> None:
        for p in self._participants():
            if p.status is ParticipantStatus.MERGED:
                assert p.survivor_id is not None
                survivor = self.app.repository.get(p.survivor_id)
                assert isinstance(survivor, Participant)
                assert survivor.event_id == p.event_id


TestRandomMergeHistoriesKeepTheRules = MergeCommands.TestCase
TestRandomMergeHistoriesKeepTheRules.settings = settings(
    max_examples=20, stateful_step_count=30, deadline=None
)
