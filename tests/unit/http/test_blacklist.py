"""The blacklist over HTTP: entries added, listed, read and lifted, within one tenant."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import Result, TestClient

from domain.screening.application import ScreeningApplication
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, FakeClock, IssueKey
from tests.unit.http.test_events import MISSING, open_event

ENTRY = {
    "first_name": "Jon",
    "last_name": "Doe",
    "date_of_birth": "1980-04-02",
    "document_number": "x12 34567",
    "reason": "violent behaviour at the last edition",
}


def add(client: TestClient, caller: Caller, **fields: Any) -> Result:
    return client.simulate_post("/v1/blacklist", json={**ENTRY, **fields}, headers=caller.headers)


def added(client: TestClient, caller: Caller, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = expect.ok(add(client, caller, **fields), 201)
    return body


@pytest.fixture(autouse=True)
def projected(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read below sees the commands before it, as a key's own reads do in time."""
    original = TestClient.simulate_get

    def caught_up(self: TestClient, *args: Any, **kwargs: Any) -> Result:
        container.catch_up()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TestClient, "simulate_get", caught_up)


def listing(client: TestClient, caller: Caller, query: str = "") -> dict[str, Any]:
    body: dict[str, Any] = expect.ok(
        client.simulate_get("/v1/blacklist", query_string=query, headers=caller.headers)
    )
    return body


def test_adding_an_entry_answers_201_with_its_location_and_the_cleaned_values(
    client: TestClient, admin: Caller
) -> None:
    result = add(client, admin, email="jon@example.org")

    body = expect.ok(result, 201)
    assert result.headers["Location"] == f"/v1/blacklist/{body['id']}"
    assert body["document_number"] == "X12 34567"
    assert body["date_of_birth"] == "1980-04-02"
    assert body["event_id"] is None
    assert body["status"] == "active"
    read = expect.ok(client.simulate_get(result.headers["Location"], headers=admin.headers))
    assert read["reason"] == ENTRY["reason"]
    assert read["added_by"] == f"api-key:{admin.key_id}"
    assert read["removed_at"] is None


def test_an_entry_that_could_match_no_one_is_a_422(client: TestClient, admin: Caller) -> None:
    name_only = {"first_name": "Jon", "last_name": "Doe", "reason": "r"}
    email_only = {"email": "jon@example.org", "reason": "r"}

    for body in (name_only, email_only):
        result = client.simulate_post("/v1/blacklist", json=body, headers=admin.headers)
        problem = expect.problem(result, 422, "validation-failed")
        assert problem["errors"][0]["field"] == "document_number"
    assert listing(client, admin)["items"] == []


def test_a_bad_value_is_a_422_naming_the_field(client: TestClient, admin: Caller) -> None:
    cases = {
        "expires_at": {"expires_at": "2001-01-01T00:00:00+00:00"},
        "email": {"email": "not an address"},
        "date_of_birth": {"date_of_birth": "19800402"},
        "reason": {"reason": "   "},
        "document_number": {"document_number": "!"},
    }
    for field, values in cases.items():
        problem = expect.problem(add(client, admin, **values), 422, "validation-failed")
        assert [e["field"] for e in problem["errors"]] == [field], field


def test_an_entry_for_an_event_the_tenant_does_not_have_is_a_404(
    client: TestClient, admin: Caller, outsider: Caller
) -> None:
    theirs = open_event(client, outsider)["id"]

    expect.problem(add(client, admin, event_id=theirs), 404, "not-found")
    expect.problem(add(client, admin, event_id=MISSING), 404, "not-found")


def test_listing_by_event_shows_its_own_and_the_tenant_wide_entries(
    client: TestClient, admin: Caller
) -> None:
    first, second = open_event(client, admin)["id"], open_event(client, admin)["id"]
    everywhere = added(client, admin)["id"]
    at_first = added(client, admin, event_id=first)["id"]
    added(client, admin, event_id=second)

    items = listing(client, admin, f"event_id={first}")["items"]

    assert [i["id"] for i in items] == [everywhere, at_first]
    assert len(listing(client, admin)["items"]) == 3


def test_listing_pages_through_the_entries_oldest_first(client: TestClient, admin: Caller) -> None:
    ids = [added(client, admin, document_number=f"DOC{n}")["id"] for n in range(3)]

    first = listing(client, admin, "limit=2")
    second = listing(client, admin, f"limit=2&cursor={first['next_cursor']}")

    assert [i["id"] for i in first["items"] + second["items"]] == ids
    assert second["next_cursor"] is None


def test_a_removed_entry_is_kept_as_removed_and_cannot_be_removed_twice(
    client: TestClient, admin: Caller
) -> None:
    kept, lifted = added(client, admin)["id"], added(client, admin)["id"]
    path = f"/v1/blacklist/{lifted}/remove"

    removed = client.simulate_post(path, json={"reason": "appeal"}, headers=admin.headers)
    again = client.simulate_post(path, json={}, headers=admin.headers)

    assert expect.ok(removed)["status"] == "removed"
    assert expect.problem(again, 409, "conflict")["code"] == "blacklist-entry-removed"
    read = expect.ok(client.simulate_get(f"/v1/blacklist/{lifted}", headers=admin.headers))
    assert read["status"] == "removed"
    assert read["removed_reason"] == "appeal"
    assert read["removed_by"] == f"api-key:{admin.key_id}"
    assert [i["id"] for i in listing(client, admin, "active=true")["items"]] == [kept]
    assert [i["id"] for i in listing(client, admin, "active=false")["items"]] == [lifted]


def test_an_entry_expires_on_its_own(
    client: TestClient, container: Container, admin: Caller
) -> None:
    clock = FakeClock()
    container.app(ScreeningApplication).clock = clock
    entry = added(client, admin, expires_at="2030-01-02T12:00:00+00:00")["id"]
    clock.advance(days=2)

    read = expect.ok(client.simulate_get(f"/v1/blacklist/{entry}", headers=admin.headers))
    assert read["status"] == "expired"
    assert listing(client, admin, "active=true")["items"] == []


def test_another_tenants_entries_are_invisible_and_untouchable(
    client: TestClient, admin: Caller, outsider: Caller
) -> None:
    entry = added(client, admin)["id"]

    assert listing(client, outsider)["items"] == []
    expect.problem(
        client.simulate_get(f"/v1/blacklist/{entry}", headers=outsider.headers), 404, "not-found"
    )
    removing = client.simulate_post(f"/v1/blacklist/{entry}/remove", headers=outsider.headers)
    expect.problem(removing, 404, "not-found")
    expect.problem(
        client.simulate_post(f"/v1/blacklist/{MISSING}/remove", headers=admin.headers),
        404,
        "not-found",
    )


def test_the_blacklist_needs_blacklist_manage(
    client: TestClient, admin: Caller, issue_key: IssueKey
) -> None:
    reader = issue_key(admin.tenant_id, ["participants:read", "events:read"])
    manager = issue_key(admin.tenant_id, ["blacklist:manage"])

    expect.problem(add(client, reader), 403, "permission-denied")
    expect.problem(
        client.simulate_get("/v1/blacklist", headers=reader.headers), 403, "permission-denied"
    )
    expect.ok(add(client, manager), 201)
    assert len(listing(client, manager)["items"]) == 1
