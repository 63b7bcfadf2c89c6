"""Restoring a cancelled participant: back as it was before the cancellation, as new events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.registration.application import RegistrationApplication
from domain.registration.email_index import AlreadyRegistered
from domain.registration.participant import (
    HELD_REASON,
    NotRestorable,
    Participant,
    ParticipantStatus,
)
from domain.registration.seats import CapacityReached
from domain.waitlists.application import WaitlistedRegistration
from domain.waitlists.waitlist import OnAccept, WhenFull
from tests.workflows import screening_then_two_checks

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


def person(n: int) -> dict[str, Any]:
    return {"first_name": "Ada", "last_name": f"Person{n}", "email": f"p{n}@example.org"}


@pytest.fixture
def app() -> RegistrationApplication:
    return RegistrationApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.fixture
def tenant() -> UUID:
    return uuid4()


def open_event(app: RegistrationApplication, tenant: UUID, **options: Any) -> UUID:
    event_id = app.create_event(
        tenant, "Expo", START, START + timedelta(days=1), "UTC", **options
    ).aggregate_id
    app.open_registration(tenant, event_id)
    return event_id


def approve(app: RegistrationApplication, tenant: UUID, participant_id: UUID) -> None:
    while active := app.participant(tenant, participant_id).run.active_steps:
        app.complete_step(tenant, participant_id, active[0], "approved")


def test_a_cancelled_pending_participant_gets_its_open_steps_back_as_they_were(
    app: RegistrationApplication, tenant: UUID
) -> None:
    event_id = open_event(app, tenant, workflow=screening_then_two_checks("ALL"))
    participant_id = app.register(tenant, event_id, person(1)).aggregate_id
    app.complete_step(tenant, participant_id, "screening", "approved", actor="staff")
    before = app.participant(tenant, participant_id)
    app.cancel(tenant, participant_id, "sent by mistake")
    assert app.participant(tenant, participant_id).run.active_steps == ()

    ack = app.restore(tenant, participant_id)

    restored = ack.aggregate
    assert restored.status is ParticipantStatus.PENDING
    assert restored.reason is None
    assert restored.run == before.run
    assert restored.run.active_steps == before.run.active_steps != ()
    assert restored.version == before.version + 2  # cancelled, then restored: nothing rewritten
    # The history read back gives the same participant.
    assert app.repository.get(participant_id).run == before.run
    # Its steps go on from where they were.
    app.complete_step(tenant, participant_id, before.run.active_steps[0], "approved")


def test_a_cancelled_approved_participant_takes_its_seat_again(
    app: RegistrationApplication, tenant: UUID
) -> None:
    event_id = open_event(app, tenant, capacity=2)
    participant_id = app.register(tenant, event_id, person(1)).aggregate_id
    approve(app, tenant, participant_id)
    app.cancel(tenant, participant_id)
    assert app.seats_taken(tenant, event_id) == 0

    app.restore(tenant, participant_id)

    restored = app.participant(tenant, participant_id)
    assert restored.status is ParticipantStatus.APPROVED
    assert restored.holds_seat
    assert app.seats_taken(tenant, event_id) == 1
    last = list(app.repository.event_store.get(participant_id))[-1]
    assert isinstance(last, Participant.Restored)
    assert (last.status, last.seat_retaken, last.email_reclaimed) == ("approved", True, True)


def test_an_approved_participant_is_not_restored_once_its_seat_has_gone_to_another(
    app: RegistrationApplication, tenant: UUID
) -> None:
    event_id = open_event(app, tenant, capacity=1)
    first = app.register(tenant, event_id, person(1)).aggregate_id
    approve(app, tenant, first)
    app.cancel(tenant, first)
    second = app.register(tenant, event_id, person(2)).aggregate_id
    approve(app, tenant, second)

    with pytest.raises(CapacityReached):
        app.restore(tenant, first)

    assert app.participant(tenant, first).status is ParticipantStatus.CANCELLED
    assert app.seats_taken(tenant, event_id) == 1


def test_a_participant_whose_email_was_registered_again_since_is_not_restored(
    app: RegistrationApplication, tenant: UUID
) -> None:
    event_id = open_event(app, tenant)
    first = app.register(tenant, event_id, person(1)).aggregate_id
    app.cancel(tenant, first)
    again = app.register(tenant, event_id, person(1)).aggregate_id

    with pytest.raises(AlreadyRegistered) as refused:
        app.restore(tenant, first)

    assert refused.value.participant_id == again
    assert app.participant(tenant, first).status is ParticipantStatus.CANCELLED


def test_only_a_cancelled_registration_is_restored_and_only_once(
    app: RegistrationApplication, tenant: UUID
) -> None:
    event_id = open_event(app, tenant)
    withdrawn, pending, cancelled = (
        app.register(tenant, event_id, person(n)).aggregate_id for n in range(3)
    )
    app.withdraw(tenant, withdrawn, "cannot travel")
    app.cancel(tenant, cancelled)
    app.restore(tenant, cancelled)

    for participant_id in (withdrawn, pending, cancelled):
        with pytest.raises(NotRestorable):
            app.restore(tenant, participant_id)
    assert app.participant(tenant, withdrawn).status is ParticipantStatus.WITHDRAWN


def test_a_participant_cancelled_while_waiting_for_a_seat_is_not_restored(tenant: UUID) -> None:
    app = WaitlistedRegistration({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    event_id = open_event(app, tenant, capacity=1)
    app.change_waitlist_settings(
        tenant, event_id, timedelta(hours=2), OnAccept.WORKFLOW, WhenFull.WAITLIST
    )
    approve(app, tenant, app.register(tenant, event_id, person(0)).aggregate_id)
    waiting = app.register(tenant, event_id, person(1), may_wait=True).aggregate_id
    assert app.participant(tenant, waiting).waitlisted
    app.cancel(tenant, waiting)

    with pytest.raises(NotRestorable, match="waiting for a seat"):
        app.restore(tenant, waiting)


def test_a_participant_held_for_screening_when_cancelled_is_restored_still_held(
    app: RegistrationApplication, tenant: UUID
) -> None:
    event_id = open_event(app, tenant)
    participant_id = app.register(tenant, event_id, person(1)).aggregate_id
    app.follow_screening(participant_id, uuid4(), "hold", "close to a blacklist entry")
    app.cancel(tenant, participant_id, "no show")

    app.restore(tenant, participant_id)

    restored = app.participant(tenant, participant_id)
    assert (restored.status, restored.reason) == (ParticipantStatus.PENDING, HELD_REASON)
    assert restored.held


def test_a_participant_state_from_before_restores_loads_with_nothing_to_give_back() -> None:
    state: dict[str, Any] = {"status": ParticipantStatus.CANCELLED}

    Participant.upcast_v3_v4(state)

    assert state["_state_before_cancel"] is None
