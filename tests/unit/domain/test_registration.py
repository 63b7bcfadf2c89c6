"""The registration context's rules: managed events, participants, seats and e-mails."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.registration.application import RegistrationApplication
from domain.registration.email_index import AlreadyRegistered
from domain.registration.managed_event import RegistrationClosed, UnknownCategory
from domain.registration.participant import ParticipantStatus, RegistrationEnded
from domain.registration.seats import CapacityReached, ledger_id
from domain.registration.workflow.definition import WorkflowInvalid
from domain.registration.workflow.run import StepNotActive, StepStatus
from domain.shared.errors import InvalidValue, NotFound, VersionMismatch
from tests.workflows import screening_then_two_checks

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
TWO_CHECKS = screening_then_two_checks("ANY")


def person(email: str = "ada@example.org", **more: Any) -> dict[str, Any]:
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


def approve_all(app: RegistrationApplication, tenant: UUID, participant_id: UUID) -> Any:
    ack = None
    while active := app.participant(tenant, participant_id).run.active_steps:
        ack = app.complete_step(tenant, participant_id, active[0], "approved")
    return ack


def test_a_new_event_is_a_draft_with_the_default_single_approval_workflow(
    app: RegistrationApplication, tenant: UUID
) -> None:
    managed = app.create_event(tenant, " Expo ", START, START + timedelta(hours=8), "UTC").aggregate

    assert (managed.name, managed.registration, managed.workflow_version) == ("Expo", "draft", 1)
    assert [s.id for s in managed.workflow(1).steps] == ["approval", "accredited"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": START}, "ends_at"),
        ({"starts_at": START.replace(tzinfo=None)}, "starts_at"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"categories": [{"code": "Press!", "name": "Press"}]}, "categories[0].code"),
        (
            {"categories": [{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]},
            "categories[1].code",
        ),
    ],
)
def test_an_event_with_bad_settings_is_refused_naming_the_field(
    app: RegistrationApplication, tenant: UUID, changes: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"starts_at": START, "ends_at": START + timedelta(days=1)}
    values.update(changes)
    with pytest.raises(InvalidValue) as refused:
        app.create_event(
            tenant,
            "Expo",
            values.pop("starts_at"),
            values.pop("ends_at"),
            values.pop("time_zone", "UTC"),
            **values,
        )
    assert refused.value.field == field


def test_an_invalid_workflow_is_refused_with_every_problem(
    app: RegistrationApplication, tenant: UUID
) -> None:
    with pytest.raises(WorkflowInvalid) as refused:
        app.create_event(
            tenant,
            "Expo",
            START,
            START + timedelta(days=1),
            "UTC",
            workflow={"start": "nowhere", "steps": [{"id": "x", "kind": "review", "name": "X"}]},
        )
    assert len(refused.value.errors) >= 2


def test_registration_needs_the_event_open_and_a_known_category(
    app: RegistrationApplication, tenant: UUID
) -> None:
    draft = app.create_event(
        tenant,
        "Expo",
        START,
        START + timedelta(days=1),
        "UTC",
        categories=[{"code": "press", "name": "Press"}],
    ).aggregate_id
    with pytest.raises(RegistrationClosed):
        app.register(tenant, draft, person(), "press")
    app.open_registration(tenant, draft)
    with pytest.raises(UnknownCategory):
        app.register(tenant, draft, person(), "athletes")
    with pytest.raises(UnknownCategory):
        app.register(tenant, draft, person(), None)
    app.close_registration(tenant, draft)
    with pytest.raises(RegistrationClosed):
        app.register(tenant, draft, person(), "press")


def test_one_registration_per_normalised_email_per_event(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo, fair = open_event(app, tenant), open_event(app, tenant)
    first = app.register(tenant, expo, person("Ada@Example.ORG")).aggregate_id

    with pytest.raises(AlreadyRegistered) as refused:
        app.register(tenant, expo, person("  ada@example.org "))
    assert refused.value.participant_id == first
    assert app.register(tenant, fair, person("ada@example.org")).aggregate.status == "pending"


def test_a_withdrawn_participant_frees_the_email_for_a_new_registration(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)
    first = app.register(tenant, expo, person()).aggregate_id
    app.withdraw(tenant, first, "cannot travel")

    again = app.register(tenant, expo, person()).aggregate
    assert again.id != first
    with pytest.raises(RegistrationEnded):
        app.complete_step(tenant, first, "approval", "approved")


def test_personal_details_are_checked_and_normalised(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)
    details = app.register(
        tenant,
        expo,
        person(
            phone="+33 (0)6 12-34-56-78",
            nationality="fr",
            document_number=" ab 123456 ",
            date_of_birth=date(1990, 5, 17),
        ),
    ).aggregate.details

    assert (details.phone, details.nationality, details.document_number) == (
        "+33612345678",  # E.164: the trunk 0 in brackets is not dialled from abroad
        "FR",
        "AB 123456",
    )
    for bad, field in (
        ({"email": "not-an-email"}, "email"),
        ({"nationality": "XX"}, "nationality"),
        ({"phone": "call me"}, "phone"),
        ({"date_of_birth": date(2999, 1, 1)}, "date_of_birth"),
        ({"first_name": "   ", "last_name": None}, "first_name"),
        ({"first_name": "", "last_name": " "}, "first_name"),
        ({"phone": "+999 1234 5678"}, "phone"),  # no such country code
        ({"phone": "030 12", "nationality": "DE"}, "phone"),  # too short for Germany
        ({"shoe_size": 44}, "shoe_size"),
    ):
        with pytest.raises(InvalidValue) as refused:
            app.register(tenant, expo, {**person("x@example.org"), **bad})
        assert refused.value.field == field


def test_a_person_with_one_name_registers_with_either_name(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)
    given = app.register(tenant, expo, {"first_name": "Sukarno", "email": "s@example.org"})
    family = app.register(
        tenant, expo, {"first_name": " ", "last_name": "Suharto", "email": "t@example.org"}
    )

    assert (given.aggregate.details.first_name, given.aggregate.details.last_name) == (
        "Sukarno",
        None,
    )
    assert given.aggregate.details.full_name == "Sukarno"
    assert family.aggregate.details.first_name is None
    assert family.aggregate.details.full_name == "Suharto"
    # Dropping the one name left is refused; giving the other one is fine.
    with pytest.raises(InvalidValue) as refused:
        app.update_participant(tenant, given.aggregate_id, {"first_name": None})
    assert refused.value.field == "first_name"
    renamed = app.update_participant(
        tenant, given.aggregate_id, {"first_name": None, "last_name": "Sukarno"}
    ).aggregate.details
    assert (renamed.first_name, renamed.full_name) == (None, "Sukarno")


def test_phones_are_kept_in_e164_read_in_the_persons_country(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)

    def phone(n: int, **values: Any) -> str | None:
        ack = app.register(tenant, expo, person(f"p{n}@example.org", **values))
        return ack.aggregate.details.phone

    assert phone(1, phone="030 1234567", nationality="DE") == "+49301234567"
    assert phone(2, phone="0049 30 1234567") == "+49301234567"
    assert phone(6, phone="007 912 345 67 89", nationality="RU") == "+79123456789"
    assert phone(7, phone="001 201 555 0123", nationality="US") == "+12015550123"
    assert phone(3, phone="+1 (415) 555-2671", nationality="GB") == "+14155552671"
    # A national number with no country to read it in is kept as its digits.
    assert phone(4, phone="0612 345 678") == "0612345678"
    # A later change reads a new phone in the person's (new) country; others stay as they are.
    ack = app.register(tenant, expo, person("p5@example.org", phone="0612345678"))
    moved = app.update_participant(
        tenant, ack.aggregate_id, {"nationality": "FR", "phone": "06 12 34 56 78"}
    ).aggregate.details
    assert moved.phone == "+33612345678"
    kept = app.update_participant(tenant, ack.aggregate_id, {"organisation": "ACME"})
    assert kept.aggregate.details.phone == "+33612345678"


def test_a_national_phone_of_a_person_of_no_nationality_is_read_in_the_events_country(
    app: RegistrationApplication, tenant: UUID
) -> None:
    paris = open_event(app, tenant, country="fr")
    assert app.event(tenant, paris).country == "FR"
    ada = app.register(tenant, paris, person(phone="06 12 34 56 78"))
    briton = app.register(
        tenant, paris, person("b@example.org", phone="07700 900123", nationality="GB")
    )

    assert ada.aggregate.details.phone == "+33612345678"
    assert briton.aggregate.details.phone == "+447700900123"  # their own country first
    changed = app.update_participant(tenant, ada.aggregate_id, {"phone": "01 23 45 67 89"})
    assert changed.aggregate.details.phone == "+33123456789"
    with pytest.raises(InvalidValue) as refused:
        open_event(app, tenant, country="France")
    assert refused.value.field == "country"
    moved = app.update_event(tenant, paris, {"country": "BE"}).aggregate
    assert moved.country == "BE"


def test_changing_the_email_moves_the_registration_to_the_new_address(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)
    ada = app.register(tenant, expo, person("ada@example.org")).aggregate_id
    app.register(tenant, expo, person("bob@example.org"))

    with pytest.raises(AlreadyRegistered):
        app.update_participant(tenant, ada, {"email": "BOB@example.org"})
    app.update_participant(tenant, ada, {"email": "ada@lovelace.example"})

    assert app.participant(tenant, ada).details.email == "ada@lovelace.example"
    assert app.register(tenant, expo, person("ada@example.org")).aggregate.status == "pending"


def test_parallel_branches_progress_apart_and_any_join_cancels_the_rest(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant, workflow=TWO_CHECKS)
    pid = app.register(tenant, expo, person()).aggregate_id
    app.complete_step(tenant, pid, "screening", "approved", "api-key:desk", "looks fine")
    assert app.participant(tenant, pid).run.active_steps == ("documents", "security")

    done = app.complete_step(tenant, pid, "documents", "approved").aggregate

    assert done.status is ParticipantStatus.APPROVED
    assert done.run.steps["security"].status is StepStatus.CANCELLED
    assert done.run.steps["screening"].comment == "looks fine"
    with pytest.raises(StepNotActive):
        app.complete_step(tenant, pid, "security", "approved")


def test_a_rejection_rejects_unless_the_branch_may_fail(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant, workflow=TWO_CHECKS)
    survivor = app.register(tenant, expo, person("a@example.org")).aggregate_id
    rejected = app.register(tenant, expo, person("b@example.org")).aggregate_id
    for pid in (survivor, rejected):
        app.complete_step(tenant, pid, "screening", "approved")

    app.complete_step(tenant, survivor, "security", "rejected")
    app.complete_step(tenant, rejected, "documents", "rejected")

    assert app.participant(tenant, survivor).status is ParticipantStatus.PENDING
    assert app.participant(tenant, rejected).status is ParticipantStatus.REJECTED
    assert app.complete_step(tenant, survivor, "documents", "approved").aggregate.status == (
        ParticipantStatus.APPROVED
    )


def test_participants_stay_on_the_workflow_version_they_registered_under(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)
    early = app.register(tenant, expo, person("early@example.org")).aggregate_id
    app.publish_workflow(tenant, expo, TWO_CHECKS)
    late = app.register(tenant, expo, person("late@example.org")).aggregate

    assert (app.participant(tenant, early).workflow_version, late.workflow_version) == (1, 2)
    assert app.participant(tenant, early).run.active_steps == ("approval",)
    assert late.run.active_steps == ("screening",)
    assert approve_all(app, tenant, early).aggregate.status is ParticipantStatus.APPROVED


def test_approvals_stop_at_the_capacity_and_a_withdrawal_frees_a_seat(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(
        app,
        tenant,
        capacity=2,
        categories=[
            {"code": "press", "name": "Press", "capacity": 1},
            {"code": "staff", "name": "Staff"},
        ],
    )
    press = [app.register(tenant, expo, person(f"p{n}@example.org"), "press") for n in range(2)]
    staff = [app.register(tenant, expo, person(f"s{n}@example.org"), "staff") for n in range(2)]

    approve_all(app, tenant, press[0].aggregate_id)
    with pytest.raises(CapacityReached, match="category 'press'"):
        approve_all(app, tenant, press[1].aggregate_id)
    approve_all(app, tenant, staff[0].aggregate_id)
    with pytest.raises(CapacityReached, match="all 2 seats"):
        approve_all(app, tenant, staff[1].aggregate_id)
    assert app.participant(tenant, staff[1].aggregate_id).run.active_steps == ("approval",)

    app.cancel(tenant, staff[0].aggregate_id, "duplicate badge")
    approve_all(app, tenant, staff[1].aggregate_id)
    assert app.seats_taken(tenant, expo) == 2


def test_capacity_cannot_drop_below_the_approved_participants(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant, capacity=5)
    for n in range(3):
        approve_all(
            app, tenant, app.register(tenant, expo, person(f"{n}@example.org")).aggregate_id
        )

    with pytest.raises(CapacityReached):
        app.update_event(tenant, expo, {"capacity": 2})
    app.update_event(tenant, expo, {"capacity": 3, "name": "Expo 2027 (full)"})

    assert app.event(tenant, expo).name == "Expo 2027 (full)"


def test_categories_can_grow_but_never_lose_one(app: RegistrationApplication, tenant: UUID) -> None:
    expo = open_event(app, tenant, categories=[{"code": "press", "name": "Press"}])
    app.update_event(
        tenant,
        expo,
        {"categories": [{"code": "press", "name": "Media"}, {"code": "vip", "name": "VIP"}]},
    )
    with pytest.raises(InvalidValue, match="cannot be removed"):
        app.update_event(tenant, expo, {"categories": [{"code": "vip", "name": "VIP"}]})
    assert [c.name for c in app.event(tenant, expo).categories] == ["Media", "VIP"]


def test_another_tenants_event_and_participants_do_not_exist(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)
    pid = app.register(tenant, expo, person()).aggregate_id
    stranger = uuid4()

    for attempt in (
        lambda: app.register(stranger, expo, person("x@example.org")),
        lambda: app.complete_step(stranger, pid, "approval", "approved"),
        lambda: app.update_event(stranger, expo, {"name": "Mine"}),
        lambda: app.event(stranger, expo),
    ):
        with pytest.raises(NotFound):
            attempt()


def test_commands_honour_the_version_the_caller_read(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)
    pid = app.register(tenant, expo, person()).aggregate_id

    with pytest.raises(VersionMismatch):
        app.complete_step(tenant, pid, "approval", "approved", expected_version=7)
    assert app.complete_step(tenant, pid, "approval", "approved", expected_version=1).version == 2


def test_a_bad_outcome_or_an_overlong_comment_is_refused(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant)
    pid = app.register(tenant, expo, person()).aggregate_id

    with pytest.raises(InvalidValue, match="approved or rejected"):
        app.complete_step(tenant, pid, "approval", "maybe")
    with pytest.raises(InvalidValue, match="comment"):
        app.complete_step(tenant, pid, "approval", "approved", comment="x" * 2001)


def test_a_long_lived_event_and_its_ledger_load_from_snapshots(
    app: RegistrationApplication, tenant: UUID
) -> None:
    expo = open_event(app, tenant, categories=[{"code": "press", "name": "Press", "capacity": 9}])
    for n in range(101):
        app.update_event(tenant, expo, {"capacity": 200 + n})

    assert app.snapshots is not None
    assert list(app.snapshots.get(expo))
    assert list(app.snapshots.get(ledger_id(expo)))
    # This store keeps no cache: each load starts from the newest snapshot.
    assert app.event(tenant, expo).categories[0].capacity == 9
    assert app.event(tenant, expo).capacity == 300
    assert app.seats_taken(tenant, expo) == 0


def test_time_zones_are_known_even_where_the_system_has_no_zone_files(tmp_path: Path) -> None:
    script = (
        "from domain.registration.managed_event import clean_time_zone; "
        "print(clean_time_zone('Asia/Kathmandu'))"
    )
    # PYTHONTZPATH at an empty folder hides the system's zone files from zoneinfo.
    env = {**os.environ, "PYTHONTZPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "Asia/Kathmandu", done.stderr
