"""Each row of an import is checked as a registration, with every error and duplicate named."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.operations.import_check import RowCheck, check_rows
from domain.registration.application import RegistrationApplication
from domain.shared.errors import InvalidValue

TODAY = date(2027, 5, 1)
MAPPING = {
    "Prénom": "first_name",
    "Nom": "last_name",
    "Courriel": "email",
    "Téléphone": "phone",
    "Né le": "date_of_birth",
    "Billet": "category",
    "Remarques": None,
}


def row(first: str = "Ada", email: str = "ada@example.org", **more: str) -> dict[str, str]:
    cells = {"Prénom": first, "Nom": "Lovelace", "Courriel": email, "Téléphone": ""}
    return {**cells, "Né le": "", "Billet": "", "Remarques": "", **more}


def checked(
    rows: Iterable[dict[str, str]], registered: Callable[[str], bool] = lambda e: False
) -> list[RowCheck]:
    numbered = enumerate(rows, start=2)
    return list(check_rows(numbered, MAPPING, TODAY, "FR", {"vip", "press"}, registered))


def test_a_valid_row_gives_its_mapped_values_and_no_errors() -> None:
    [check] = checked([row(Téléphone="01 23 45 67 89", Billet="VIP", Remarques="late")])

    assert check.values == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "phone": "01 23 45 67 89",
        "category": "vip",
    }
    assert check.errors == []
    assert check.importable


def test_every_wrong_value_of_a_row_is_listed_with_its_row_number() -> None:
    good, bad = checked(
        [row(), row(email="not-an-address", Téléphone="12", **{"Né le": "30/04/1990"})]
    )

    assert good.errors == []
    assert bad.row_number == 3
    assert sorted(f for f, _ in bad.errors) == ["date_of_birth", "email", "phone"]
    assert not bad.importable


def test_a_row_without_any_name_or_e_mail_says_what_is_missing() -> None:
    [check] = checked([{"Prénom": "", "Nom": "", "Courriel": "", "Téléphone": "12"}])

    assert check.values == {"phone": "12"}
    assert [f for f, _ in check.errors] == ["email", "phone", "first_name"]


def test_a_date_of_birth_in_the_future_is_refused_as_a_registration_would() -> None:
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    [check] = checked([row(**{"Né le": tomorrow})])

    assert check.errors == [("date_of_birth", "the date of birth must not be in the future")]


def test_a_category_the_event_does_not_have_is_an_error() -> None:
    [check] = checked([row(Billet="backstage")])

    assert [f for f, _ in check.errors] == ["category"]
    assert "press, vip" in check.errors[0][1]


def test_a_second_row_with_the_same_e_mail_names_the_first() -> None:
    checks = checked(
        [
            row(),
            row(first="Bob", email="bob@example.org"),
            row(first="Ada", email=" ADA@Example.org "),
        ]
    )

    assert [c.duplicate_of_row for c in checks] == [None, None, 2]
    assert not checks[2].importable


def test_a_row_already_registered_for_the_event_is_marked_and_asked_about_once() -> None:
    asked: list[str] = []

    def registered(email: str) -> bool:
        asked.append(email)
        return email == "ada@example.org"

    checks = checked(
        [row(email="Ada@Example.org"), row(first="B", email="b@example.org"), row()], registered
    )

    assert [c.already_registered for c in checks] == [True, False, True]
    assert asked == ["ada@example.org", "b@example.org"]


def test_a_mapping_to_an_unknown_or_repeated_field_is_refused() -> None:
    with pytest.raises(InvalidValue, match="no field"):
        list(check_rows([], {"X": "shoe_size"}, TODAY, None, (), lambda e: False))
    with pytest.raises(InvalidValue, match="two columns"):
        list(check_rows([], {"A": "email", "B": "email"}, TODAY, None, (), lambda e: False))


def test_the_registration_application_tells_which_e_mails_its_event_holds() -> None:
    app = RegistrationApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    tenant, other = uuid4(), uuid4()
    start = datetime(2027, 6, 1, 9, tzinfo=UTC)
    event_id = app.create_event(
        tenant, "Expo", start, start + timedelta(days=1), "Europe/Paris"
    ).aggregate_id
    app.open_registration(tenant, event_id)
    ada = app.register(tenant, event_id, {"first_name": "Ada", "email": "ada@example.org"})

    assert app.registered_email(tenant, event_id, " ADA@example.org") == ada.aggregate_id
    assert app.registered_email(tenant, event_id, "bob@example.org") is None
    assert app.registered_email(other, event_id, "ada@example.org") is None
    app.withdraw(tenant, ada.aggregate_id)
    assert app.registered_email(tenant, event_id, "ada@example.org") is None
