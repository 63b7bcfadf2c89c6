"""The screening policy end to end on SQLite: registrations and entries screened, with effects.

A registration carrying a barred document number is blocked (its credential's scans
answer BLOCKED); one whose name and birth date come close to an entry waits for a
reviewer instead of being approved; an entry added later screens the participants
already there, and one removed lifts what it caused. No registration is lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from falcon.testing import TestClient

from adapters.screening.blacklist_queries import ExpiryQueries
from adapters.settings import Settings
from domain.screening.application import ScreeningApplication
from domain.screening.blacklist import Blacklist, blacklist_id
from domain.screening.participant_screening import ParticipantScreening, screening_id
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from entrypoints.workers.scans import run_scan_decider
from entrypoints.workers.screening import record_due_expiries, record_expiries, screening_runners
from tests.unit.http import expect
from tests.unit.http.conftest import Caller
from tests.unit.http.test_credentials import path, run_policy, take_code
from tests.unit.http.test_participants import complete, registered
from tests.unit.http.test_scans import Venue


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """SQLite unless a test asks for PostgreSQL too (where the scan decider is a worker)."""
    url = None
    if getattr(request, "param", "sqlite") == "postgres":
        url = request.getfixturevalue("pg_url")
    return Settings(
        database_url=url, data_dir=tmp_path / "var", demo_tenant=False, read_wait_seconds=0.2
    )


@pytest.fixture(autouse=True)
def decider(settings: Settings, container: Container) -> Iterator[None]:
    """The scan decider worker, on a container of its own, where the settings want one."""
    if not settings.scans_by_worker:
        yield
        return
    stop = threading.Event()
    own = build(settings)
    thread = threading.Thread(target=run_scan_decider, args=(own, stop), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)
        own.close()


def run_screening(container: Container) -> None:
    """The screening policy, then the credential policy and the projections, caught up."""
    for runner in screening_runners(container):
        # The entries' runner waits for the registrations view, which the worker's
        # projector brings up to date meanwhile; here it is brought up before each.
        container.catch_up()
        runner.catch_up()
    run_policy(container)


def bar(client: TestClient, caller: Caller, **entry: Any) -> str:
    body = {"reason": "violence at the last edition", **entry}
    created = client.simulate_post("/v1/blacklist", json=body, headers=caller.headers)
    entry_id: str = expect.ok(created, 201)["id"]
    return entry_id


def participant(client: TestClient, container: Container, caller: Caller, pid: str) -> Any:
    container.catch_up()
    return expect.ok(client.simulate_get(f"/v1/participants/{pid}", headers=caller.headers))


def test_a_barred_document_blocks_at_the_gate_and_a_close_name_waits_for_review(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    bar(client, admin, document_number="X1234567")
    bar(client, admin, first_name="Jon", last_name="Müller", date_of_birth="1980-04-02")

    barred = registered(
        client, admin, venue.event_id, email="b@example.org", document_number="x-1234567"
    )["id"]
    close = registered(
        client,
        admin,
        venue.event_id,
        first_name="John",
        last_name="Mueller",
        email="c@example.org",
        date_of_birth="1980-04-02",
    )["id"]
    run_screening(container)
    expect.ok(complete(client, admin, barred, "approval"))
    expect.ok(complete(client, admin, close, "approval"))
    run_screening(container)

    listed = {
        state: [
            p["id"]
            for p in expect.ok(
                client.simulate_get(
                    f"/v1/events/{venue.event_id}/participants",
                    params={"screening": state},
                    headers=admin.headers,
                )
            )["items"]
        ]
        for state in ("held", "blocked")
    }
    assert listed == {"held": [close], "blocked": [barred]}
    # Blocked: approved, credentialed, and every scan refused with the reason.
    blocked = participant(client, container, admin, barred)
    assert blocked["status"] == "approved"
    assert blocked["blocked_by"] is not None
    assert "blacklist entry" in blocked["blocked_reason"]
    assert blocked["held_by"] is None
    scanned = expect.ok(venue.scan(take_code(client, admin, barred), venue.north))
    assert scanned["result"] == "BLOCKED"
    assert "blacklist entry" in scanned["reason"]
    # Held: the approval waits, with no seat and no credential, until released.
    held = participant(client, container, admin, close)
    assert held["status"] == "pending"
    assert held["reason"] == "held for screening review"
    assert held["held_by"] is not None
    assert held["blocked_by"] is None
    expect.problem(client.simulate_get(path(close), headers=admin.headers), 404, "not-found")
    release = f"/v1/participants/{close}/screening/release"
    released = expect.ok(client.simulate_post(release, headers=admin.headers))
    assert released["status"] == "approved"
    run_screening(container)
    after = participant(client, container, admin, close)
    assert (after["reason"], after["held_by"]) == (None, None)
    code = take_code(client, admin, close)
    assert venue.result(code, venue.north) == "OK"
    again = client.simulate_post(release, headers=admin.headers)
    assert expect.problem(again, 409, "conflict")["code"] == "not-held-for-screening"
    # Auditors read why each was stopped.
    screening = container.app(ScreeningApplication)
    decisions = [
        e
        for e in screening.events.get(screening_id(UUID(barred)))
        if isinstance(e, ParticipantScreening.Screened)
    ]
    assert [(d.outcome, d.explanation["rule"]) for d in decisions] == [("block", "document_number")]


def test_a_close_entry_added_later_takes_an_approval_back_until_a_reviewer_releases_it(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    participant_id, code = venue.participant()
    email = participant(client, container, admin, participant_id)["email"]
    before = expect.ok(
        client.simulate_get(f"/v1/events/{venue.event_id}/counts", headers=admin.headers)
    )

    bar(client, admin, first_name="ada", last_name="LOVELACE", email=email.upper())
    run_screening(container)
    held = participant(client, container, admin, participant_id)
    counts = expect.ok(
        client.simulate_get(f"/v1/events/{venue.event_id}/counts", headers=admin.headers)
    )
    refused = venue.result(code, venue.north)
    release = f"/v1/participants/{participant_id}/screening/release"
    expect.ok(client.simulate_post(release, headers=admin.headers))
    run_screening(container)

    assert (held["status"], held["reason"]) == ("pending", "held for screening review")
    assert counts["seats_taken"] == before["seats_taken"] - 1
    assert refused == "NOT_APPROVED"
    assert participant(client, container, admin, participant_id)["status"] == "approved"
    assert venue.result(code, venue.north) == "OK"


@pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)
def test_an_entry_added_later_blocks_a_participant_already_in_and_its_removal_lifts_it(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    participant_id, code = venue.participant()
    container.catch_up()
    details = {"document_number": "Z9999999"}
    expect.ok(
        client.simulate_patch(
            f"/v1/participants/{participant_id}", json=details, headers=admin.headers
        )
    )
    run_screening(container)
    assert venue.result(code, venue.north) == "OK"

    entry = bar(client, admin, document_number="Z 9999999", event_id=venue.event_id)
    run_screening(container)
    credential = expect.ok(client.simulate_get(path(participant_id), headers=admin.headers))
    blocked = venue.result(code, venue.north, "EXIT"), venue.result(code, venue.north)
    removal = client.simulate_post(f"/v1/blacklist/{entry}/remove", headers=admin.headers)
    expect.ok(removal)
    run_screening(container)

    assert blocked == ("OK", "BLOCKED")
    assert (credential["blocked"], credential["works"]) == (True, False)
    assert venue.result(code, venue.north) == "OK"
    lifted = participant(client, container, admin, participant_id)
    assert (lifted["status"], lifted["blocked_by"], lifted["blocked_reason"]) == (
        "approved",
        None,
        None,
    )


def test_an_entry_that_expires_lifts_its_block_by_itself_once_its_time_comes(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    participant_id, code = venue.participant()
    container.catch_up()
    details = {"document_number": "Q7777777"}
    patched = client.simulate_patch(
        f"/v1/participants/{participant_id}", json=details, headers=admin.headers
    )
    expect.ok(patched)
    expires_at = datetime.now(UTC) + timedelta(hours=1)
    entry = bar(client, admin, document_number="Q7777777", expires_at=expires_at.isoformat())
    run_screening(container)
    blocked = venue.result(code, venue.north)

    # Nothing but time passes: the policy's timer records the expiry when it comes.
    screening = container.app(ScreeningApplication)
    screening.clock = lambda: expires_at + timedelta(seconds=1)
    stop = threading.Event()
    timer = threading.Thread(
        target=record_expiries, args=(container, stop, lambda: True), daemon=True
    )
    timer.start()
    try:
        expired = _recorded_expiry(screening, admin.tenant_id, UUID(entry))
    finally:
        stop.set()
        timer.join(10)
    container.catch_up()
    recorded_again = record_due_expiries(screening, ExpiryQueries(container.engine))
    run_screening(container)

    assert blocked == "BLOCKED"
    assert expired.expires_at == expires_at
    assert recorded_again == 0
    assert venue.result(code, venue.north) == "OK"
    lifted = participant(client, container, admin, participant_id)
    assert (lifted["blocked_by"], lifted["blocked_reason"]) == (None, None)


def _recorded_expiry(
    screening: ScreeningApplication, tenant_id: UUID, entry_id: UUID
) -> Blacklist.EntryExpired:
    """The entry's EntryExpired, once the timer has recorded it (a few seconds at most)."""
    for _ in range(100):
        for e in screening.events.get(blacklist_id(tenant_id)):
            if isinstance(e, Blacklist.EntryExpired):
                assert e.entry_id == entry_id
                return e
        time.sleep(0.1)
    raise AssertionError("the timer recorded no expiry")
