"""Merging a participant into another, and undoing it: details, seats, e-mails, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.registration.application import RegistrationApplication
from domain.registration.email_index import AlreadyRegistered
from domain.registration.merge import MergeAcrossEvents, MergeUndone, ParticipantMerged
from domain.registration.participant import Participant, ParticipantStatus
from domain.registration.seats import CapacityReached
from domain.shared.errors import InvalidValue, NotFound

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


def person(email: str, **more: Any) -> dict[str, Any]:
    return {"first_name": "Ada", "last_name": "Lovelace", "email": email, **more}


@pytest.fixture
def app() -> RegistrationApplication:
    return RegistrationApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.fixture
def tenant() -> UUID:
    return uuid4()


def open_event(app: RegistrationApplication, tenant: UUID, **options: Any) -> UUID:
    event_id = app.create_event(
        tenant, "Expo 2027", START, START + timedelta(days=2), "Europe/Paris", **options
    ).aggregate_id
    app.open_registration(tenant, event_id)
    return event_id


def register(app: RegistrationApplication, tenant: UUID, event_id: UUID, **details: Any) -> UUID:
    return app.register(tenant, event_id, details).aggregate_id


def approve(app: RegistrationApplication, tenant: UUID, participant_id: UUID) -> None:
    while active := app.participant(tenant, participant_id).run.active_steps:
        app.complete_step(tenant, participant_id, active[0], "approved")


def history(app: RegistrationApplication, participant_id: UUID) -> list[str]:
    return [type(e).__name__ for e in app.events.get(participant_id)]


@pytest.fixture
def pair(app: RegistrationApplication, tenant: UUID) -> tuple[UUID, UUID, UUID]:
    """An event with two registrations of one person: A (no phone), B (a phone, a document)."""
    event_id = open_event(app, tenant)
    a = register(app, tenant, event_id, **person("ada@example.org"))
    b = register(
        app,
        tenant,
        event_id,
        **person("ada.l@example.org", phone="+441234567890", document_number="X123"),
    )
    return event_id, a, b


def test_the_survivor_keeps_its_details_and_takes_the_absorbeds_where_it_has_none(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    _, a, b = pair

    merge = app.merge_participants(tenant, a, b).aggregate

    survivor = app.participant(tenant, a)
    assert survivor.details.email == "ada@example.org"
    assert survivor.details.phone == "+441234567890"
    assert survivor.details.document_number == "X123"
    assert merge.chosen["email"] == "survivor"
    assert merge.chosen["phone"] == "absorbed"
    assert merge.survivor_id == a
    assert survivor.absorbed[merge.id].absorbed_id == b


def test_the_absorbed_refuses_every_command_naming_the_survivor(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    _, a, b = pair
    app.merge_participants(tenant, a, b)

    absorbed = app.participant(tenant, b)
    assert absorbed.status is ParticipantStatus.MERGED
    assert absorbed.survivor_id == a
    for command in (
        lambda: app.update_participant(tenant, b, {"organisation": "Analytical Engines"}),
        lambda: app.complete_step(tenant, b, "approval", "approved"),
        lambda: app.withdraw(tenant, b),
        lambda: app.cancel(tenant, b),
        lambda: app.merge_participants(tenant, a, b),
        lambda: app.merge_participants(tenant, b, a),
    ):
        with pytest.raises(ParticipantMerged) as refused:
            command()
        assert refused.value.survivor_id == a
        assert refused.value.problem_members()["survivor_id"] == str(a)


def test_the_absorbeds_history_stays_its_own(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    _, a, b = pair
    before = history(app, b)

    app.merge_participants(tenant, a, b)

    assert history(app, b) == [*before, "MergedInto"]
    assert history(app, a)[-1] == "Absorbed"


def test_a_seat_held_by_the_absorbed_is_given_back(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    event_id, a, b = pair
    approve(app, tenant, a)
    approve(app, tenant, b)
    assert app.seats_taken(tenant, event_id) == 2

    app.merge_participants(tenant, a, b)

    assert app.seats_taken(tenant, event_id) == 1


def test_the_absorbeds_email_is_freed_for_a_new_registration(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    event_id, a, b = pair

    app.merge_participants(tenant, a, b)

    again = register(app, tenant, event_id, **person("ADA.L@example.org"))
    assert again not in (a, b)
    with pytest.raises(AlreadyRegistered):
        register(app, tenant, event_id, **person("ada@example.org"))


def test_a_survivor_taking_the_absorbeds_email_takes_its_index_and_frees_its_own(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    event_id, a, b = pair

    app.merge_participants(tenant, a, b, {"email": "absorbed"})

    assert app.participant(tenant, a).details.email == "ada.l@example.org"
    with pytest.raises(AlreadyRegistered) as taken:
        register(app, tenant, event_id, **person("ada.l@example.org"))
    assert taken.value.participant_id == a
    assert register(app, tenant, event_id, **person("ada@example.org")) not in (a, b)


def test_unmerge_restores_both_records_with_new_domain_events(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    event_id, a, b = pair
    approve(app, tenant, b)
    survivor_before = app.participant(tenant, a).details
    absorbed_before = app.participant(tenant, b).details
    merge_id = app.merge_participants(tenant, a, b, {"email": "absorbed"}).aggregate_id
    merged_history = history(app, b)

    app.unmerge(tenant, merge_id)

    assert app.participant(tenant, a).details == survivor_before
    absorbed = app.participant(tenant, b)
    assert (absorbed.details, absorbed.status) == (absorbed_before, ParticipantStatus.APPROVED)
    assert absorbed.survivor_id is None
    assert history(app, b) == [*merged_history, "Unmerged"]
    assert history(app, a)[-2:] == ["Absorbed", "Unabsorbed"]
    assert app.seats_taken(tenant, event_id) == 1
    # Each address is its own participant's again.
    for email, holder in (("ada@example.org", a), ("ada.l@example.org", b)):
        with pytest.raises(AlreadyRegistered) as taken:
            register(app, tenant, event_id, **person(email))
        assert taken.value.participant_id == holder
    # And the absorbed takes commands again.
    app.update_participant(tenant, b, {"organisation": "Analytical Engines"})


def test_a_detail_changed_after_the_merge_keeps_its_later_value_on_unmerge(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    _, a, b = pair
    merge_id = app.merge_participants(tenant, a, b).aggregate_id
    app.update_participant(tenant, a, {"phone": "+33612345678"})

    app.unmerge(tenant, merge_id)

    survivor = app.participant(tenant, a)
    assert survivor.details.phone == "+33612345678"
    assert survivor.details.document_number is None


def test_unmerge_is_refused_when_the_absorbeds_seat_is_gone(
    app: RegistrationApplication, tenant: UUID
) -> None:
    event_id = open_event(app, tenant, capacity=1)
    a = register(app, tenant, event_id, **person("ada@example.org"))
    b = register(app, tenant, event_id, **person("ada.l@example.org"))
    approve(app, tenant, b)
    merge_id = app.merge_participants(tenant, a, b).aggregate_id
    approve(app, tenant, a)

    with pytest.raises(CapacityReached):
        app.unmerge(tenant, merge_id)
    assert app.participant(tenant, b).status is ParticipantStatus.MERGED
    assert app.merge(tenant, merge_id).undone is False


def test_unmerge_is_refused_when_the_absorbeds_email_was_registered_since(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    event_id, a, b = pair
    merge_id = app.merge_participants(tenant, a, b).aggregate_id
    newcomer = register(app, tenant, event_id, **person("ada.l@example.org"))

    with pytest.raises(AlreadyRegistered) as refused:
        app.unmerge(tenant, merge_id)
    assert refused.value.participant_id == newcomer


def test_a_merge_is_undone_once(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    _, a, b = pair
    merge_id = app.merge_participants(tenant, a, b).aggregate_id
    app.unmerge(tenant, merge_id)

    with pytest.raises(MergeUndone):
        app.unmerge(tenant, merge_id)


def test_a_participant_is_not_merged_with_itself_nor_across_events_or_tenants(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    _, a, b = pair
    other_event = open_event(app, tenant)
    elsewhere = register(app, tenant, other_event, **person("ada@example.org"))
    outsider = uuid4()

    with pytest.raises(InvalidValue) as itself:
        app.merge_participants(tenant, a, a)
    assert itself.value.field == "absorbed_id"
    with pytest.raises(MergeAcrossEvents):
        app.merge_participants(tenant, a, elsewhere)
    with pytest.raises(NotFound):
        app.merge_participants(outsider, a, b)
    merge_id = app.merge_participants(tenant, a, b).aggregate_id
    with pytest.raises(NotFound):
        app.unmerge(outsider, merge_id)
    with pytest.raises(NotFound):
        app.merge(outsider, merge_id)


def test_unknown_fields_or_sources_are_refused_naming_the_field(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    _, a, b = pair

    for choices, field in (
        ({"shoe_size": "absorbed"}, "fields.shoe_size"),
        ({"email": "both"}, "fields.email"),
    ):
        with pytest.raises(InvalidValue) as refused:
            app.merge_participants(tenant, a, b, choices)
        assert refused.value.field == field
    assert app.participant(tenant, b).status is ParticipantStatus.PENDING


def test_a_merged_participant_replays_to_the_same_state(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    _, a, b = pair
    app.merge_participants(tenant, a, b, {"email": "absorbed"})

    for participant_id in (a, b):
        live = app.participant(tenant, participant_id)
        replayed: Any = None
        for domain_event in app.events.get(participant_id):
            replayed = domain_event.mutate(replayed)
        assert isinstance(replayed, Participant)
        assert (replayed.details, replayed.status, replayed.survivor_id) == (
            live.details,
            live.status,
            live.survivor_id,
        )


def test_a_survivor_merged_since_into_a_third_is_unmerged_from_it_first(
    app: RegistrationApplication, tenant: UUID, pair: tuple[UUID, UUID, UUID]
) -> None:
    event_id, a, b = pair
    c = register(app, tenant, event_id, **person("lovelace@example.org"))
    first = app.merge_participants(tenant, a, b).aggregate_id
    second = app.merge_participants(tenant, c, a).aggregate_id

    with pytest.raises(ParticipantMerged) as refused:
        app.unmerge(tenant, first)
    assert refused.value.survivor_id == c

    app.unmerge(tenant, second)
    app.unmerge(tenant, first)
    assert {app.participant(tenant, p).status for p in (a, b, c)} == {ParticipantStatus.PENDING}
