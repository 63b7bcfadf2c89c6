"""The blacklist matcher: documents block, close names with a birth date or e-mail hold."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.screening.blacklist import Entry
from domain.screening.blacklist_match import Outcome, screen

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EVENT = UUID("9b2f3e54-6a7b-4c1d-8e9f-0a1b2c3d4e5f")
ENTRY = Entry(
    id=UUID("3d6f0a52-8c1e-4b7a-9f2d-5e4c3b2a1f0e"),
    event_id=None,
    first_name="Jon",
    last_name="Müller",
    date_of_birth=date(1980, 4, 2),
    document_number="X12 34567",
    email="jon.muller@gmail.com",
    reason="violence",
    expires_at=None,
    actor="api-key:1",
)


def person(**details: Any) -> dict[str, Any]:
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "date_of_birth": None,
        "document_number": None,
        **details,
    }


def test_the_same_document_number_blocks_whatever_its_spacing_and_case() -> None:
    decision = screen(person(document_number="x-1234567"), EVENT, [ENTRY], NOW)

    assert decision.outcome is Outcome.BLOCK
    assert decision.entry_id == ENTRY.id
    assert decision.explanation["fields"] == ["document_number"]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("John", "Mueller"),  # a spelling variant and a transliterated umlaut
        ("MÜLLER", "jon"),  # swapped order, capitals
        ("Jon Peter", "Muller"),  # a middle name the entry lacks
    ],
)
def test_a_close_name_with_the_same_birth_date_holds(first: str, last: str) -> None:
    details = person(first_name=first, last_name=last, date_of_birth="1980-04-02")

    decision = screen(details, EVENT, [ENTRY], NOW)

    assert decision.outcome is Outcome.HOLD, decision.explanation
    assert decision.explanation["fields"] == ["name", "date_of_birth"]
    assert decision.explanation["name_similarity"] >= 0.9


def test_a_name_in_another_script_is_compared_transliterated() -> None:
    entry = replace(ENTRY, first_name="Ivan", last_name="Petrov", document_number=None)
    details = person(first_name="Петров", last_name="Иван", date_of_birth="1980-04-02")

    assert screen(details, EVENT, [entry], NOW).outcome is Outcome.HOLD


def test_a_close_name_with_the_same_mailbox_holds() -> None:
    details = person(first_name="Jon", last_name="Muller", email="Jon.Muller+x@googlemail.com")

    decision = screen(details, EVENT, [ENTRY], NOW)

    assert decision.outcome is Outcome.HOLD
    assert decision.explanation["rule"] == "name+email"


@pytest.mark.parametrize(
    "details",
    [
        {"first_name": "Jon", "last_name": "Müller"},  # a namesake, no birth date
        {"first_name": "Jon", "last_name": "Müller", "date_of_birth": "1980-04-03"},
        {"first_name": "Jan", "last_name": "Müller", "date_of_birth": "1980-04-02"},  # a twin
        {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1980-04-02"},
        {"first_name": "Jon", "last_name": "", "date_of_birth": "1980-04-02"},
    ],
)
def test_a_namesake_a_twin_or_a_stranger_is_cleared(details: dict[str, Any]) -> None:
    assert screen(person(**details), EVENT, [ENTRY], NOW).outcome is Outcome.CLEAR


def test_expired_removed_and_other_events_entries_never_match() -> None:
    details = person(document_number="X1234567")
    expired = replace(ENTRY, expires_at=NOW - timedelta(seconds=1))
    removed = replace(ENTRY, removed=True)
    elsewhere = replace(ENTRY, event_id=uuid4())
    here = replace(ENTRY, event_id=EVENT)

    assert screen(details, EVENT, [expired, removed, elsewhere], NOW).outcome is Outcome.CLEAR
    assert screen(details, EVENT, [here], NOW).outcome is Outcome.BLOCK
    assert screen(details, EVENT, [expired], NOW - timedelta(days=1)).outcome is Outcome.BLOCK


def test_the_gravest_match_decides_whatever_the_order_of_the_entries() -> None:
    by_name = replace(ENTRY, id=UUID(int=1), document_number=None)
    by_document = replace(ENTRY, id=UUID(int=2), first_name="Other", last_name="Person")
    details = person(first_name="Jon", last_name="Muller", date_of_birth="1980-04-02")
    details["document_number"] = "X1234567"

    first = screen(details, EVENT, [by_name, by_document], NOW)
    second = screen(details, EVENT, [by_document, by_name], NOW)

    assert first == second
    assert first.outcome is Outcome.BLOCK
    assert first.entry_id == by_document.id
