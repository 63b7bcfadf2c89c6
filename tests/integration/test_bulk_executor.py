"""The bulk executor on both stores: items applied through the contexts' own commands, once each."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.operations.queries import BulkQueries
from adapters.registration.queries import RegistrationQueries
from adapters.settings import Settings
from domain.operations.application import OperationsApplication
from domain.operations.bulk import BulkOperation, OperationState
from domain.registration.application import RegistrationApplication
from domain.registration.participant import Participant, ParticipantStatus
from domain.shared.bulk_kinds import BulkItem, BulkKind, Facts
from domain.shared.cause import Cause, caused_by, meta_of
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from entrypoints.workers.operations import Executor, run_pending, view_selector

STAFF = "api-key:staff"
STARTS = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


class Desk:
    """An organiser's event, its participants, and the bulk operations asked for at it."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.registration = container.app(RegistrationApplication)
        self.operations = container.app(OperationsApplication)
        self.tenant = uuid4()
        self.event_id = self.new_event()
        self.executor = Executor(
            self.operations,
            container.bulk_kinds(),
            view_selector(container.query(RegistrationQueries)),
        )

    def new_event(self) -> UUID:
        event_id = self.registration.create_event(
            self.tenant, "Summit", STARTS, STARTS + timedelta(days=1), "UTC"
        ).aggregate_id
        self.registration.open_registration(self.tenant, event_id)
        return event_id

    def register(self, n: int, event_id: UUID | None = None) -> UUID:
        person = {"first_name": "Ada", "last_name": f"Person{n}", "email": f"p{n}@example.org"}
        return self.registration.register(
            self.tenant, event_id or self.event_id, person
        ).aggregate_id

    def request(
        self, kind: str, params: dict[str, Any], selection: dict[str, Any], dry_run: bool = False
    ) -> UUID:
        cleaned = self.container.bulk_kinds()[kind].clean(params)
        return self.operations.request_bulk(
            self.tenant, self.event_id, kind, cleaned, selection, dry_run, STAFF
        ).aggregate_id

    def run(self) -> None:
        self.container.catch_up()
        run_pending(self.executor, self.container.query(BulkQueries), threading.Event())
        self.container.catch_up()

    def operation(self, operation_id: UUID) -> BulkOperation:
        return self.operations.bulk_operation(self.tenant, operation_id)

    def participant(self, participant_id: UUID) -> Participant:
        return self.registration.participant(self.tenant, participant_id)


APPROVE = {"step_id": "approval", "outcome": "approved"}


def test_approving_a_list_approves_each_and_refuses_those_a_command_would(
    container: Container,
) -> None:
    desk = Desk(container)
    pending = [desk.register(n) for n in range(3)]
    rejected = desk.register(3)
    desk.registration.complete_step(desk.tenant, rejected, "approval", "rejected")
    elsewhere = desk.register(4, desk.new_event())
    ids = [str(p) for p in [*pending, rejected, elsewhere]]

    operation_id = desk.request("complete-step", APPROVE, {"participant_ids": ids})
    desk.run()

    operation = desk.operation(operation_id)
    assert operation.state is OperationState.COMPLETED_WITH_ERRORS
    assert operation.counts == {"ok": 3, "refused": 2, "skipped": 0}
    assert {desk.participant(p).status for p in pending} == {ParticipantStatus.APPROVED}
    assert desk.participant(elsewhere).status is ParticipantStatus.PENDING
    items = container.query(BulkQueries).items(desk.tenant, operation_id, 10, None)
    assert [(i.participant_id, i.result) for i in items.items] == [
        *((p, "ok") for p in pending),
        (rejected, "refused"),
        (elsewhere, "refused"),
    ]
    assert items.items[4].problem == "not-found"
    # Each approval is recorded as caused by its item, by the key that asked.
    stored = list(desk.registration.repository.event_store.get(pending[1]))
    meta = meta_of(stored[-1])
    assert (meta["actor"], meta["causation_id"]) == (STAFF, f"bulk-operation:{operation_id}:1")


def test_a_filter_selects_as_the_participants_query_does_and_a_dry_run_changes_nothing(
    container: Container,
) -> None:
    desk = Desk(container)
    pending = [desk.register(n) for n in range(4)]
    desk.registration.withdraw(desk.tenant, pending[0])

    dry = desk.request(
        "cancel", {"reason": "venue closed"}, {"filter": {"status": "pending"}}, True
    )
    desk.run()

    assert desk.operation(dry).counts == {"ok": 3, "refused": 0, "skipped": 0}
    assert {desk.participant(p).status for p in pending[1:]} == {ParticipantStatus.PENDING}
    real = desk.request("cancel", {"reason": "venue closed"}, {"filter": {"status": "pending"}})
    desk.run()
    assert desk.operation(real).state is OperationState.COMPLETED
    assert {desk.participant(p).status for p in pending[1:]} == {ParticipantStatus.CANCELLED}


def test_an_item_applied_before_the_executor_stopped_is_not_applied_again(
    container: Container,
) -> None:
    desk = Desk(container)
    people = [desk.register(n) for n in range(3)]
    operation_id = desk.request(
        "complete-step", APPROVE, {"participant_ids": [str(p) for p in people]}
    )
    desk.operations.select_items(operation_id, people, complete=True)
    claimed = desk.operations.claim_items(operation_id, 3)
    # The executor applied the first item, then was killed before recording its result.
    index, first = claimed[0]
    cause = Cause(STAFF, f"bulk-operation:{operation_id}", f"bulk-operation:{operation_id}:{index}")
    with caused_by(cause):
        desk.registration.complete_step(desk.tenant, first, "approval", "approved")

    desk.run()

    operation = desk.operation(operation_id)
    assert operation.counts == {"ok": 3, "refused": 0, "skipped": 0}
    completions = [
        e
        for e in desk.registration.repository.event_store.get(first)
        if isinstance(e, Participant.StepCompleted)
    ]
    assert len(completions) == 1


def test_a_cancelled_operation_skips_what_it_had_not_begun(container: Container) -> None:
    desk = Desk(container)
    people = [desk.register(n) for n in range(30)]
    operation_id = desk.request(
        "complete-step", APPROVE, {"participant_ids": [str(p) for p in people]}
    )
    desk.executor.step(operation_id)  # the selection
    desk.executor.step(operation_id)  # a first chunk
    desk.operations.cancel_bulk(desk.tenant, operation_id, STAFF)
    desk.run()

    operation = desk.operation(operation_id)
    assert operation.state is OperationState.CANCELLED
    assert operation.counts["ok"] > 0
    assert operation.counts["skipped"] == 30 - operation.counts["ok"]
    approved = sum(desk.participant(p).status is ParticipantStatus.APPROVED for p in people)
    assert approved == operation.counts["ok"]


def test_an_undo_sets_back_each_value_and_a_retry_runs_only_the_refused(
    container: Container,
) -> None:
    desk = Desk(container)
    people = [desk.register(n) for n in range(3)]
    desk.registration.update_participant(desk.tenant, people[0], {"organisation": "Acme"})
    desk.registration.withdraw(desk.tenant, people[2])
    operation_id = desk.request(
        "set-field",
        {"field": "organisation", "value": "Globex"},
        {"participant_ids": [str(p) for p in people]},
    )
    desk.run()
    assert [desk.participant(p).details.organisation for p in people[:2]] == ["Globex"] * 2

    undo = desk.operations.undo_bulk(desk.tenant, operation_id, "set-field", STAFF).aggregate_id
    retry = desk.operations.retry_bulk(desk.tenant, operation_id, STAFF).aggregate_id
    desk.run()

    assert [desk.participant(p).details.organisation for p in people[:2]] == ["Acme", None]
    assert desk.operation(undo).state is OperationState.COMPLETED
    assert desk.operation(retry).counts == {"ok": 0, "refused": 1, "skipped": 0}


def test_undoing_a_bulk_cancellation_restores_everyone_as_they_were(
    container: Container,
) -> None:
    desk = Desk(container)
    limited = desk.registration.update_event(desk.tenant, desk.event_id, {"capacity": 3})
    assert limited.aggregate.capacity == 3
    approved = [desk.register(n) for n in range(2)]
    for participant_id in approved:
        desk.registration.complete_step(desk.tenant, participant_id, "approval", "approved")
    pending = desk.register(2)
    withdrawn = desk.register(3)
    desk.registration.withdraw(desk.tenant, withdrawn)
    people = [*approved, pending, withdrawn]
    operation_id = desk.request(
        "cancel", {"reason": "wrong list"}, {"participant_ids": [str(p) for p in people]}
    )
    desk.run()
    assert desk.operation(operation_id).counts == {"ok": 3, "refused": 1, "skipped": 0}
    assert desk.registration.seats_taken(desk.tenant, desk.event_id) == 0

    kind = container.bulk_kinds()["cancel"]
    undo = desk.operations.undo_bulk(desk.tenant, operation_id, kind.undo_kind, STAFF)
    desk.run()

    assert desk.operation(undo.aggregate_id).state is OperationState.COMPLETED
    assert desk.operation(undo.aggregate_id).counts == {"ok": 3, "refused": 0, "skipped": 0}
    statuses = [desk.participant(p).status for p in people]
    assert statuses == [
        ParticipantStatus.APPROVED,
        ParticipantStatus.APPROVED,
        ParticipantStatus.PENDING,
        ParticipantStatus.WITHDRAWN,
    ]
    assert desk.participant(pending).run.active_steps == ("approval",)
    assert desk.registration.seats_taken(desk.tenant, desk.event_id) == 2
    rows = container.query(RegistrationQueries)
    shown = [rows.participant(desk.tenant, p) for p in people]
    assert [(r.status, r.reason) for r in shown if r is not None] == [
        ("approved", None),
        ("approved", None),
        ("pending", None),
        ("withdrawn", None),
    ]


def test_operations_side_by_side_take_turns(container: Container) -> None:
    desk = Desk(container)
    people = [desk.register(n) for n in range(40)]
    first = desk.request(
        "set-field", {"field": "organisation", "value": "A"}, {"filter": {"status": "pending"}}
    )
    second = desk.request(
        "set-field", {"field": "nationality", "value": "FR"}, {"filter": {"status": "pending"}}
    )
    container.catch_up()
    for operation_id in (first, second):
        desk.executor.step(operation_id)  # each selects its participants
        desk.executor.step(operation_id)  # and runs a first chunk

    progress = [desk.operation(o).done() for o in (first, second)]
    assert all(0 < done < len(people) for done in progress)
    desk.run()
    assert {desk.participant(p).details.nationality for p in people} == {"FR"}


class Crash(Exception):
    """The executor's process dies here (the exception is not a refusal: nothing records it)."""


class CrashingKind:
    """A kind whose executor dies just before, or just after, applying chosen items."""

    def __init__(self, inner: BulkKind, before: set[UUID], after: set[UUID]) -> None:
        self.inner, self.before, self.after = inner, before, after
        self.name, self.undo_kind = inner.name, inner.undo_kind
        self.batch_application = inner.batch_application

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return self.inner.clean(params)

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        return self.inner.preflight(params, facts)

    def applied(self, item: BulkItem, causation_id: str) -> bool:
        return self.inner.applied(item, causation_id)

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        if item.participant_id in self.before:
            self.before.discard(item.participant_id)
            raise Crash
        undo = self.inner.apply(item)
        if item.participant_id in self.after:
            self.after.discard(item.participant_id)
            raise Crash
        return undo


plans = st.lists(
    st.tuples(
        st.sampled_from(["crash-before", "crash-after", "by-hand", "none"]),
        st.integers(0, 11),
    ),
    max_size=8,
)


def test_crashes_and_commands_beside_the_executor_apply_each_item_at_most_once(
    container: Container,
) -> None:
    @settings(max_examples=10, deadline=None)
    @given(plans, st.integers(1, 12))
    def check(plan: list[tuple[str, int]], chunk: int) -> None:
        desk = Desk(container)
        people = [desk.register(n) for n in range(12)]
        before = {people[i] for action, i in plan if action == "crash-before"}
        after = {people[i] for action, i in plan if action == "crash-after"}
        by_hand = [people[i] for action, i in plan if action == "by-hand"]
        kinds = dict(desk.executor.kinds)
        kinds["complete-step"] = CrashingKind(kinds["complete-step"], before, after)
        executor = Executor(desk.operations, kinds, desk.executor.select)
        operation_id = desk.request(
            "complete-step", APPROVE, {"participant_ids": [str(p) for p in people]}
        )
        executor.step(operation_id)  # the selection
        executor.pace[operation_id] = 0.5 / chunk
        while not desk.operation(operation_id).state.ended:
            if by_hand:  # staff approve someone by hand while the operation runs
                person = by_hand.pop()
                if desk.participant(person).run.active_steps:
                    desk.registration.complete_step(desk.tenant, person, "approval", "approved")
            try:
                executor.step(operation_id)
            except Crash:
                executor = Executor(desk.operations, kinds, desk.executor.select)
                executor.pace[operation_id] = 0.5 / chunk

        operation = desk.operation(operation_id)
        for person in people:
            completions = [
                e
                for e in desk.registration.repository.event_store.get(person)
                if isinstance(e, Participant.StepCompleted)
            ]
            assert len(completions) == 1
            assert desk.participant(person).status is ParticipantStatus.APPROVED
        assert operation.counts["ok"] + operation.counts["refused"] == len(people)
        container.catch_up()
        items = container.query(BulkQueries).items(desk.tenant, operation_id, 100, None).items
        by_result = {r: sum(i.result == r for i in items) for r in ("ok", "refused", "skipped")}
        assert by_result == operation.counts
        row = container.query(BulkQueries).operation(desk.tenant, operation_id)
        assert row is not None
        assert (row.state, row.ok, row.refused) == (
            operation.state.value,
            operation.counts["ok"],
            operation.counts["refused"],
        )

    check()
