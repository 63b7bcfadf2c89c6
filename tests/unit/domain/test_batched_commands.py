"""Batched commands: many commands' domain events kept, then saved in one transaction."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.registration.application import RegistrationApplication
from domain.registration.participant import ParticipantStatus
from domain.registration.seats import CapacityReached, SeatLedger, ledger_id
from domain.shared.application import batched
from domain.shared.cause import Cause, caused_by, meta_of

START = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def app() -> RegistrationApplication:
    return RegistrationApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})


def event_with(
    app: RegistrationApplication, tenant: UUID, people: int, capacity: int
) -> list[UUID]:
    event_id = app.create_event(
        tenant, "Forum", START, START + timedelta(days=1), "UTC", capacity=capacity
    ).aggregate_id
    app.open_registration(tenant, event_id)
    return [
        app.register(
            tenant,
            event_id,
            {"first_name": "Ada", "last_name": f"N{n}", "email": f"n{n}@example.org"},
        ).aggregate_id
        for n in range(people)
    ]


def test_batched_commands_save_nothing_until_the_batch_and_then_all_at_once(
    app: RegistrationApplication,
) -> None:
    tenant = uuid4()
    people = event_with(app, tenant, 3, capacity=2)
    event_id = app.participant(tenant, people[0]).event_id
    stored_before = app.recorder.max_notification_id()

    with batched(app) as batch:
        for n, person in enumerate(people):
            # The third finds the seats the first two took in the batch.
            cause = Cause("api-key:staff", "bulk", f"item:{n}")
            with caused_by(cause), contextlib.suppress(CapacityReached):
                app.complete_step(tenant, person, "approval", "approved")
        # Inside, later commands see what earlier ones left; the store has nothing yet.
        assert app.participant(tenant, people[1]).status is ParticipantStatus.APPROVED
        assert app.recorder.max_notification_id() == stored_before

    assert app.recorder.max_notification_id() == stored_before
    assert batch.save()

    assert [app.participant(tenant, p).status for p in people] == [
        ParticipantStatus.APPROVED,
        ParticipantStatus.APPROVED,
        ParticipantStatus.PENDING,
    ]
    assert app.load(SeatLedger, ledger_id(event_id)).taken() == 2
    # Each domain event keeps the cause of the command that made it.
    for n, person in enumerate(people[:2]):
        last = list(app.repository.event_store.get(person))[-1]
        assert meta_of(last)["causation_id"] == f"item:{n}"


def test_a_batch_another_writer_overtook_saves_nothing(app: RegistrationApplication) -> None:
    tenant = uuid4()
    people = event_with(app, tenant, 2, capacity=10)

    with batched(app) as batch:
        for person in people:
            app.complete_step(tenant, person, "approval", "approved")
    # Meanwhile, outside the batch, staff reject the second participant.
    app.complete_step(tenant, people[1], "approval", "rejected")

    assert not batch.save()
    assert [app.participant(tenant, p).status for p in people] == [
        ParticipantStatus.PENDING,
        ParticipantStatus.REJECTED,
    ]
