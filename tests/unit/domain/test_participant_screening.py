"""Screening decisions recorded per participant: once each, lifted when the entry goes."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain.screening.application import ScreeningApplication
from domain.screening.participant_screening import ParticipantScreening, screening_id

DETAILS = {
    "first_name": "John",
    "last_name": "Mueller",
    "email": "john@example.org",
    "date_of_birth": "1980-04-02",
    "document_number": None,
}


def history(app: ScreeningApplication, participant_id: UUID) -> list[object]:
    return list(app.events.get(screening_id(participant_id)))


def test_a_hold_is_recorded_once_with_its_cause_and_lifted_when_the_entry_is_removed() -> None:
    app = ScreeningApplication()
    tenant, event, participant = uuid4(), uuid4(), uuid4()
    entry = app.add_blacklist_entry(
        tenant, "fraud", first_name="Jon", last_name="Müller", date_of_birth=date(1980, 4, 2)
    ).id

    held = app.screen_participant(tenant, event, participant, DETAILS, "registration:1")
    again = app.screen_participant(tenant, event, participant, DETAILS, "registration:2")
    app.remove_blacklist_entry(tenant, entry, "appeal")
    lifted = app.screen_participant(tenant, event, participant, DETAILS, f"blacklist:{entry}")

    assert held is not None
    assert again is not None
    assert lifted is not None
    assert again.version == held.version
    screened = [
        e for e in history(app, participant) if isinstance(e, ParticipantScreening.Screened)
    ]
    assert [(e.outcome, e.entry_id, e.cause) for e in screened] == [
        ("hold", entry, "registration:1"),
        ("clear", None, f"blacklist:{entry}"),
    ]
    assert screened[0].explanation["fields"] == ["name", "date_of_birth"]
    assert screened[1].explanation["lifts"] == str(screened[0].decision_id)


def test_a_participant_no_entry_matches_leaves_no_record() -> None:
    app = ScreeningApplication()
    tenant = uuid4()
    app.add_blacklist_entry(tenant, "fraud", document_number="X1234567")
    participant = uuid4()

    assert app.screen_participant(tenant, uuid4(), participant, DETAILS, "registration:1") is None
    assert app.screening(participant) is None


def test_another_tenants_entries_never_screen_a_participant() -> None:
    app = ScreeningApplication()
    barring, other = uuid4(), uuid4()
    app.add_blacklist_entry(barring, "fraud", document_number="X1234567")
    details = {**DETAILS, "document_number": "X1234567"}

    assert app.screen_participant(other, uuid4(), uuid4(), details, "registration:1") is None
    assert app.screen_participant(barring, uuid4(), uuid4(), details, "registration:1")
