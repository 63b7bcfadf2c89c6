"""Random registration histories keep the seat ledger, the capacities and replays honest."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import project_aggregate
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

from domain.registration.application import RegistrationApplication
from domain.registration.participant import Participant, ParticipantStatus
from domain.registration.seats import SeatLedger, ledger_id
from domain.shared.errors import DomainError
from tests.unit.domain.test_workflow_definition import definition_data

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
CATEGORIES = [{"code": "press", "name": "Press", "capacity": 1}, {"code": "crew", "name": "Crew"}]
emails = st.sampled_from(["a@example.org", "A@example.org", "b@example.org", "c@example.org"])


class RegistrationCommands(RuleBasedStateMachine):
    """Runs random commands against a few small events and checks what must always hold."""

    events = Bundle("events")
    participants = Bundle("participants")

    def __init__(self) -> None:
        super().__init__()
        self.app = RegistrationApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.tenant = uuid4()
        self.known: set[UUID] = set()

    def _run(self, command: Any, *args: Any, **kwargs: Any) -> UUID | None:
        before = self.app.recorder.max_notification_id()
        try:
            ack = command(*args, **kwargs)
        except DomainError:
            # A refused command leaves no trace in the store.
            assert self.app.recorder.max_notification_id() == before
            return None
        self.known.add(ack.aggregate_id)
        return ack.aggregate_id  # type: ignore[no-any-return]

    @rule(
        target=events, workflow=definition_data(max_depth=2), capacity=st.sampled_from([1, 2, None])
    )
    def create_event(self, workflow: dict[str, Any], capacity: int | None) -> Any:
        event_id = self._run(
            self.app.create_event,
            self.tenant,
            "Expo",
            START,
            START + timedelta(days=1),
            "UTC",
            capacity=capacity,
            categories=CATEGORIES,
            workflow=workflow,
        )
        assert event_id is not None
        self._run(self.app.open_registration, self.tenant, event_id)
        self.known.add(ledger_id(event_id))
        return event_id

    @rule(
        target=participants,
        event_id=events,
        email=emails,
        category=st.sampled_from(["press", "crew"]),
    )
    def register(self, event_id: UUID, email: str, category: str) -> Any:
        details = {"first_name": "Ada", "last_name": "Lovelace", "email": email}
        pid = self._run(self.app.register, self.tenant, event_id, details, category)
        return multiple() if pid is None else pid

    @rule(pid=participants, pick=st.integers(0, 5), approve=st.booleans())
    def complete_a_step(self, pid: UUID, pick: int, approve: bool) -> None:
        active = self.app.participant(self.tenant, pid).run.active_steps
        step = active[pick % len(active)] if active else "s0"
        outcome = "approved" if approve else "rejected"
        self._run(self.app.complete_step, self.tenant, pid, step, outcome, "api-key:desk")

    @rule(pid=participants, organiser=st.booleans())
    def end_registration(self, pid: UUID, organiser: bool) -> None:
        command = self.app.cancel if organiser else self.app.withdraw
        self._run(command, self.tenant, pid, "changed plans")

    @rule(pid=participants)
    def restore(self, pid: UUID) -> None:
        self._run(self.app.restore, self.tenant, pid)

    @rule(event_id=events, capacity=st.sampled_from([0, 1, 3, None]))
    def resize(self, event_id: UUID, capacity: int | None) -> None:
        self._run(self.app.update_event, self.tenant, event_id, {"capacity": capacity})

    def _participants(self) -> list[Participant]:
        found = [self.app.repository.get(a) for a in self.known]
        return [p for p in found if isinstance(p, Participant)]

    @invariant()
    def the_ledger_counts_exactly_the_approved_participants_within_capacity(self) -> None:
        approved: Counter[tuple[UUID, str | None]] = Counter()
        for p in self._participants():
            if p.status is ParticipantStatus.APPROVED:
                approved[(p.event_id, None)] += 1
                if p.category is not None:
                    approved[(p.event_id, p.category)] += 1
        for aggregate_id in self.known:
            ledger = self.app.repository.get(aggregate_id)
            if not isinstance(ledger, SeatLedger):
                continue
            assert ledger.taken() == approved[(ledger.event_id, None)]
            for code in ("press", "staff"):
                assert ledger.taken(code) == approved[(ledger.event_id, code)]
            # Capacity may be set below what was approved only by refusing: never exceeded.
            assert ledger.capacity is None or ledger.taken() <= ledger.capacity
            assert ledger.taken("press") <= 1

    @invariant()
    def one_live_registration_per_normalised_email(self) -> None:
        live = [
            (p.event_id, p.details.normalised_email)
            for p in self._participants()
            if not p.has_ended
        ]
        assert len(live) == len(set(live))

    @invariant()
    def replaying_the_stored_events_gives_the_live_state(self) -> None:
        for aggregate_id in self.known:
            live: Any = self.app.repository.get(aggregate_id)
            replayed: Any = project_aggregate(None, self.app.events.get(aggregate_id))
            assert replayed == live


TestRandomRegistrationHistoriesKeepTheRules = RegistrationCommands.TestCase
TestRandomRegistrationHistoriesKeepTheRules.settings = settings(
    max_examples=30, stateful_step_count=30, deadline=None
)
