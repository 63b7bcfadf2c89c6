"""Duplicate candidates over HTTP: raised with their explanation, reviewed, re-opened by change."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import Result, TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey
from tests.unit.http.test_events import open_event
from tests.unit.http.test_participants import registered

ADA = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "phone": "+44 7911 123456",
    "date_of_birth": "1985-12-10",
    "nationality": "GB",
}
ADDA = {**ADA, "first_name": "Adda", "email": "a.lovelace@example.com", "phone": "07911 123456"}


@pytest.fixture
def client(client: TestClient, container: Container) -> TestClient:
    """The app, with every projection caught up before each request (detection included)."""
    simulate = client.simulate_request

    def caught_up(*args: Any, **kwargs: Any) -> Result:
        container.catch_up()
        return simulate(*args, **kwargs)

    client.simulate_request = caught_up  # type: ignore[method-assign]
    return client


def listed(client: TestClient, caller: Caller, query: str = "") -> list[dict[str, Any]]:
    body = expect.ok(client.simulate_get(f"/v1/duplicates{query}", headers=caller.headers))
    items: list[dict[str, Any]] = body["items"]
    return items


def review(client: TestClient, caller: Caller, pair_id: str, decision: str, **body: Any) -> Result:
    path = f"/v1/duplicates/{pair_id}/{decision}"
    return client.simulate_post(path, json=body, headers=caller.headers)


def change(client: TestClient, caller: Caller, participant_id: str, **fields: Any) -> None:
    path = f"/v1/participants/{participant_id}"
    expect.ok(client.simulate_patch(path, json=fields, headers=caller.headers))


def twice_registered(client: TestClient, caller: Caller) -> tuple[str, str, str]:
    event_id = open_event(client, caller)["id"]
    first = registered(client, caller, event_id, **ADA)["id"]
    second = registered(client, caller, event_id, **ADDA)["id"]
    return event_id, first, second


def test_a_near_identical_registration_raises_a_pending_pair_with_its_explanation(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = twice_registered(client, admin)
    registered(client, admin, event_id, first_name="Grace", last_name="Hopper", email="g@x.org")

    [pair] = listed(client, admin)
    detail = expect.ok(client.simulate_get(f"/v1/duplicates/{pair['id']}", headers=admin.headers))

    assert pair["status"] == "PENDING"
    assert sorted(pair["participant_ids"]) == sorted([first, second])
    assert pair["event_ids"] == [event_id, event_id]
    assert pair["score"] > 0
    fields = {f["field"]: f for f in detail["explanation"]["fields"]}
    assert fields["names"]["level"] == "fuzzy"
    assert fields["phone"]["level"] == "exact"  # one number, written two ways
    assert fields["phone"]["left"] == fields["phone"]["right"] == "+447911123456"
    assert fields["date_of_birth"]["weight"] > 0
    assert {p["details"]["first_name"] for p in detail["participants"]} == {"Ada", "Adda"}
    total = detail["explanation"]["prior"] + sum(f["weight"] for f in fields.values())
    assert abs(total - detail["score"]) < 0.01


def test_a_dismissed_pair_stays_dismissed_until_a_compared_field_changes(
    client: TestClient, admin: Caller
) -> None:
    _, first, _ = twice_registered(client, admin)
    [pair] = listed(client, admin, "?status=PENDING")

    answer = expect.ok(review(client, admin, pair["id"], "dismiss", comment="two people"))
    assert answer["status"] == "DISMISSED"
    assert listed(client, admin, "?status=PENDING") == []
    [dismissed] = listed(client, admin, "?status=DISMISSED")
    assert dismissed["id"] == pair["id"]

    change(client, admin, first, email="ADA@Example.org")  # the same mailbox
    assert listed(client, admin, "?status=PENDING") == []

    change(client, admin, first, date_of_birth="1985-12-11")
    [again] = listed(client, admin, "?status=PENDING")
    assert again["id"] == pair["id"]


def test_a_confirmed_pair_is_listed_as_confirmed_and_a_repeat_changes_nothing(
    client: TestClient, admin: Caller
) -> None:
    twice_registered(client, admin)
    [pair] = listed(client, admin)

    first = expect.ok(review(client, admin, pair["id"], "confirm"))
    again = expect.ok(review(client, admin, pair["id"], "confirm"))

    assert first == again
    assert [p["status"] for p in listed(client, admin)] == ["CONFIRMED"]


def test_a_pair_that_no_longer_scores_leaves_the_list(client: TestClient, admin: Caller) -> None:
    _, _, second = twice_registered(client, admin)
    assert len(listed(client, admin)) == 1

    change(client, admin, second, first_name="Grace", last_name="Hopper", date_of_birth=None)

    assert listed(client, admin) == []


def test_a_withdrawn_participant_leaves_their_pairs(client: TestClient, admin: Caller) -> None:
    _, _, second = twice_registered(client, admin)
    assert len(listed(client, admin)) == 1

    path = f"/v1/participants/{second}/withdraw"
    expect.ok(client.simulate_post(path, json={}, headers=admin.headers))

    assert listed(client, admin) == []


def test_a_cancelled_participant_restored_is_screened_again(
    client: TestClient, admin: Caller
) -> None:
    _, first, second = twice_registered(client, admin)
    cancel = f"/v1/participants/{second}/cancel"
    expect.ok(client.simulate_post(cancel, json={}, headers=admin.headers))
    assert listed(client, admin) == []

    restore = f"/v1/participants/{second}/restore"
    expect.ok(client.simulate_post(restore, json={}, headers=admin.headers))

    assert [sorted(p["participant_ids"]) for p in listed(client, admin)] == [
        sorted([first, second])
    ]


def test_a_merge_closes_the_pair_and_an_unmerge_raises_it_again(
    client: TestClient, admin: Caller
) -> None:
    _, first, second = twice_registered(client, admin)
    assert len(listed(client, admin)) == 1

    merge = client.simulate_post(
        f"/v1/participants/{first}/merge",
        json={"absorbed_id": second, "fields": {"email": "absorbed"}},
        headers=admin.headers,
    )
    after_merge = listed(client, admin)
    unmerge = client.simulate_post(
        f"/v1/merges/{expect.ok(merge, 201)['id']}/unmerge", json={}, headers=admin.headers
    )
    after_unmerge = listed(client, admin)

    assert after_merge == []
    expect.ok(unmerge)
    assert [sorted(p["participant_ids"]) for p in after_unmerge] == [sorted([first, second])]


def test_people_with_one_name_are_screened_like_anyone(client: TestClient, admin: Caller) -> None:
    event_id = open_event(client, admin)["id"]
    one = {"first_name": None, "last_name": "Suharto", "date_of_birth": "1961-06-08"}
    first = registered(client, admin, event_id, **one, email="s1@example.org")["id"]
    swapped = {**one, "first_name": "Suharto", "last_name": None}
    second = registered(client, admin, event_id, **swapped, email="s2@example.org")["id"]

    [pair] = listed(client, admin)

    assert sorted(pair["participant_ids"]) == sorted([first, second])


def test_twins_are_not_raised(client: TestClient, admin: Caller) -> None:
    event_id = open_event(client, admin)["id"]
    registered(client, admin, event_id, **ADA)
    registered(client, admin, event_id, **{**ADA, "first_name": "Augusta", "email": "a@x.org"})

    assert listed(client, admin) == []


def test_pairs_across_events_are_listed_only_under_the_tenant_scope(
    client: TestClient, admin: Caller
) -> None:
    one, other = open_event(client, admin)["id"], open_event(client, admin)["id"]
    registered(client, admin, one, **ADA)
    registered(client, admin, other, **ADDA)
    settings = "/v1/screening/settings"

    assert listed(client, admin) == []
    read = expect.ok(client.simulate_get(settings, headers=admin.headers))
    assert read == {"duplicate_scope": "event"}
    put = client.simulate_put(settings, json={"duplicate_scope": "tenant"}, headers=admin.headers)
    assert expect.ok(put) == {"duplicate_scope": "tenant"}

    [pair] = listed(client, admin)
    assert sorted(pair["event_ids"]) == sorted([one, other])
    assert listed(client, admin, f"?event_id={one}") == [pair]


def test_another_tenant_sees_nothing_and_cannot_review(
    client: TestClient, admin: Caller, outsider: Caller
) -> None:
    twice_registered(client, admin)
    [pair] = listed(client, admin)

    assert listed(client, outsider) == []
    path = f"/v1/duplicates/{pair['id']}"
    expect.problem(client.simulate_get(path, headers=outsider.headers), 404, "not-found")
    expect.problem(review(client, outsider, pair["id"], "dismiss"), 404, "not-found")
    assert listed(client, admin)[0]["status"] == "PENDING"


def test_reviewing_needs_the_permission(
    client: TestClient, admin: Caller, issue_key: IssueKey
) -> None:
    reader = issue_key(admin.tenant_id, ["participants:read"])
    answer = client.simulate_get("/v1/duplicates", headers=reader.headers)
    assert expect.problem(answer, 403, "permission-denied")["permission"] == "duplicates:review"


def test_bad_input_is_a_problem(client: TestClient, admin: Caller) -> None:
    twice_registered(client, admin)
    [pair] = listed(client, admin)
    get = client.simulate_get

    for query in ("?status=MAYBE", "?min_score=high", "?min_score=nan", "?event_id=42", "?limit=0"):
        expect.problem(
            get(f"/v1/duplicates{query}", headers=admin.headers), 400, "invalid-parameter"
        )
    expect.problem(get("/v1/duplicates?cursor=x", headers=admin.headers), 400, "invalid-cursor")
    missing = "/v1/duplicates/6f1c1e4e-0000-4000-8000-000000000000"
    expect.problem(get(missing, headers=admin.headers), 404, "not-found")
    expect.problem(
        review(client, admin, pair["id"], "dismiss", comment=5), 422, "validation-failed"
    )
    put = client.simulate_put(
        "/v1/screening/settings", json={"duplicate_scope": "world"}, headers=admin.headers
    )
    expect.problem(put, 422, "validation-failed")
