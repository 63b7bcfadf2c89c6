"""Participants over HTTP: register, list, count, read, change, and move through their steps."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import Result, TestClient

from domain.platform.features import Feature
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey, MakeTenant
from tests.unit.http.test_events import (
    MISSING,
    TWO_CHECKS,
    create_event,
    open_event,
    read,
    with_etag,
)

ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}


def register(client: TestClient, caller: Caller, event_id: str, **fields: Any) -> Result:
    return client.simulate_post(
        f"/v1/events/{event_id}/participants", json={**ADA, **fields}, headers=caller.headers
    )


def registered(client: TestClient, caller: Caller, event_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = expect.ok(register(client, caller, event_id, **fields), 201)
    return body


def complete(
    client: TestClient,
    caller: Caller,
    participant_id: str,
    step_id: str,
    outcome: str = "approved",
    **more: Any,
) -> Result:
    return client.simulate_post(
        f"/v1/participants/{participant_id}/steps/{step_id}/complete",
        json={"outcome": outcome, **more},
        headers=caller.headers,
    )


# Registering


def test_registering_answers_201_with_location_etag_and_the_first_active_step(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]

    result = register(
        client,
        admin,
        event_id,
        phone="+44 20 7946 0958",
        date_of_birth="1990-12-10",
        nationality="gb",
        document_number="ab 123456",
    )

    body = expect.ok(result, 201)
    assert result.headers["Location"] == f"/v1/participants/{body['id']}"
    assert result.headers["ETag"] == '"1"'
    assert result.headers["Accredit-Position"].startswith("registration:")
    assert body["event_id"] == event_id
    assert body["status"] == "pending"
    assert body["workflow_version"] == 1
    assert body["active_steps"] == ["approval"]
    assert body["steps"] == [
        {
            "step_id": "approval",
            "status": "active",
            "outcome": None,
            "actor": None,
            "comment": None,
            "order": 0,
        }
    ]
    assert (body["phone"], body["date_of_birth"]) == ("+442079460958", "1990-12-10")
    assert (body["nationality"], body["document_number"]) == ("GB", "AB 123456")


def test_registering_while_registration_is_not_open_is_a_409(
    client: TestClient, admin: Caller
) -> None:
    draft = create_event(client, admin)["id"]
    closed = open_event(client, admin)["id"]
    client.simulate_post(f"/v1/events/{closed}/close-registration", headers=admin.headers)

    for event_id in (draft, closed):
        body = expect.problem(register(client, admin, event_id), 409, "conflict")
        assert body["code"] == "registration-closed"


def test_a_second_registration_of_an_email_in_any_case_is_a_409_naming_the_first(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    first = registered(client, admin, event_id)

    result = register(client, admin, event_id, email="  ADA@Example.ORG ", first_name="Augusta")

    body = expect.problem(result, 409, "conflict")
    assert body["code"] == "already-registered"
    assert body["participant_id"] == first["id"]


def test_the_same_email_may_register_for_another_event(client: TestClient, admin: Caller) -> None:
    registered(client, admin, open_event(client, admin)["id"])

    expect.ok(register(client, admin, open_event(client, admin)["id"]), 201)


def test_a_retried_registration_with_its_idempotency_key_registers_once(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    headers = {**admin.headers, "Idempotency-Key": "ada-once"}
    path = f"/v1/events/{event_id}/participants"

    first = client.simulate_post(path, json=ADA, headers=headers)
    again = client.simulate_post(path, json=ADA, headers=headers)

    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    page = expect.ok(read(client, container, admin, path, first))
    assert [p["id"] for p in page["items"]] == [first.json["id"]]


def test_an_event_with_categories_needs_one_of_them(client: TestClient, admin: Caller) -> None:
    event_id = open_event(client, admin, categories=[{"code": "press", "name": "Press"}])["id"]

    missing = register(client, admin, event_id)
    unknown = register(client, admin, event_id, category="staff")
    chosen = register(client, admin, event_id, category="press")

    for refused in (missing, unknown):
        body = expect.problem(refused, 422, "validation-failed")
        assert body["errors"] == [{"field": "category", "message": body["detail"]}]
    assert expect.ok(chosen, 201)["category"] == "press"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": None}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a" * 300 + "@example.org"}, "email"),
        ({"first_name": "", "last_name": None}, "first_name"),
        ({"first_name": "Ada\x00"}, "first_name"),
        ({"last_name": "L" * 101}, "last_name"),
        ({"last_name": ["Lovelace"]}, "last_name"),
        ({"phone": 4420}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"date_of_birth": "10/12/1990"}, "date_of_birth"),
        ({"date_of_birth": "19901210"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"nationality": "GBR"}, "nationality"),
        ({"nationality": "QQ"}, "nationality"),
        ({"document_number": "#"}, "document_number"),
        ({"category": "Press!"}, "category"),
        ({"shoe_size": 42}, "shoe_size"),
    ],
)
def test_bad_personal_details_are_a_422_naming_the_field(
    client: TestClient, admin: Caller, change: dict[str, Any], field: str
) -> None:
    event_id = open_event(client, admin)["id"]

    body = expect.problem(register(client, admin, event_id, **change), 422, "validation-failed")

    assert field in [e["field"] for e in body["errors"]]


def test_a_person_with_one_name_registers_and_is_listed_and_found_by_it(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    given = registered(client, admin, event_id, last_name=None, first_name="Sukarno")
    family = registered(
        client, admin, event_id, email="t@example.org", first_name="", last_name="Suharto"
    )
    neither = register(client, admin, event_id, email="n@example.org", first_name=None)
    neither_too = register(
        client, admin, event_id, email="m@example.org", first_name=" ", last_name=""
    )

    assert (given["first_name"], given["last_name"], given["full_name"]) == (
        "Sukarno",
        None,
        "Sukarno",
    )
    assert (family["first_name"], family["full_name"]) == (None, "Suharto")
    assert (
        expect.ok(register(client, admin, event_id, email="x@example.org"), 201)["full_name"]
        == "Ada Lovelace"
    )
    # ADA has a last name, so dropping the first is fine; dropping both is not.
    assert neither.status_code == 201
    body = expect.problem(neither_too, 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["first_name"]
    container.catch_up()
    path = f"/v1/events/{event_id}/participants"
    found = expect.ok(client.simulate_get(path, params={"search": "suhar"}, headers=admin.headers))
    assert [p["full_name"] for p in found["items"]] == ["Suharto"]
    registered(client, admin, event_id, email="j@example.org", first_name="José", last_name=None)
    container.catch_up()
    for term in ("jose", "JOSÉ"):
        found = expect.ok(client.simulate_get(path, params={"search": term}, headers=admin.headers))
        assert [p["full_name"] for p in found["items"]] == ["José"]
    shown = expect.ok(client.simulate_get(f"/v1/participants/{given['id']}", headers=admin.headers))
    assert (shown["first_name"], shown["last_name"], shown["full_name"]) == (
        "Sukarno",
        None,
        "Sukarno",
    )


def test_registering_for_an_unknown_or_another_tenants_event_is_a_404(
    client: TestClient, admin: Caller, outsider: Caller
) -> None:
    theirs = open_event(client, outsider)["id"]

    for event_id in (theirs, MISSING):
        expect.problem(register(client, admin, event_id), 404, "not-found")


# Reading, listing, counting


def test_reading_a_participant_shows_every_step_reached_and_branch_entered(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin, workflow=TWO_CHECKS)["id"]
    participant_id = registered(client, admin, event_id)["id"]
    screened = complete(client, admin, participant_id, "screening", comment="fine")

    result = read(client, container, admin, f"/v1/participants/{participant_id}", screened)

    body = expect.ok(result)
    assert result.headers["ETag"] == '"2"'
    assert body["active_steps"] == ["documents", "security"]
    steps = {s["step_id"]: s for s in body["steps"]}
    assert steps["screening"]["status"] == "approved"
    assert steps["screening"]["comment"] == "fine"
    assert steps["screening"]["kind"] == "review"
    assert steps["security"]["status"] == "active"
    assert {(b["fork"], b["head"], b["status"]) for b in body["branches"]} == {
        ("checks", "security", "active"),
        ("checks", "documents", "active"),
    }
    assert {b["head"] for b in screened.json["branches"]} == {"security", "documents"}


def test_listing_filters_an_events_participants_by_status_category_step_and_search(
    client: TestClient, container: Container, admin: Caller
) -> None:
    categories = [{"code": "press", "name": "Press"}, {"code": "staff", "name": "Staff"}]
    event_id = open_event(client, admin, categories=categories)["id"]
    ada = registered(client, admin, event_id, category="press")["id"]
    registered(
        client, admin, event_id, email="grace@example.org", first_name="Grace", category="staff"
    )
    last = register(
        client, admin, event_id, email="alan@example.org", first_name="Alan", category="press"
    )
    approved = complete(client, admin, ada, "approval")
    path = f"/v1/events/{event_id}/participants"

    def names(**params: str) -> list[str]:
        container.catch_up()
        page = expect.ok(client.simulate_get(path, params=params, headers=admin.headers))
        return [p["first_name"] for p in page["items"]]

    everyone = expect.ok(read(client, container, admin, path, approved))
    assert [p["first_name"] for p in everyone["items"]] == ["Ada", "Grace", "Alan"]
    assert "steps" not in everyone["items"][0]
    assert names(status="approved") == ["Ada"]
    assert names(category="press") == ["Ada", "Alan"]
    assert names(step="approval") == ["Grace", "Alan"]
    assert names(search="GRACE@") == ["Grace"]
    assert names(status="pending", category="press") == ["Alan"]
    assert last.status_code == 201


@pytest.mark.parametrize(
    "params",
    [{"status": "accredited"}, {"category": "NOT A CODE"}, {"step": "a/b"}, {"colour": "red"}],
)
def test_a_bad_participant_filter_is_a_400_naming_the_parameter(
    client: TestClient, container: Container, admin: Caller, params: dict[str, str]
) -> None:
    event_id = create_event(client, admin)["id"]
    container.catch_up()

    result = client.simulate_get(
        f"/v1/events/{event_id}/participants", params=params, headers=admin.headers
    )

    body = expect.problem(result, 400, "invalid-parameter")
    assert [e["field"] for e in body["errors"]] == list(params)


def test_the_work_queue_lists_who_awaits_a_step_longest_waiting_first(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    first = registered(client, admin, event_id)["id"]
    second = registered(client, admin, event_id, email="grace@example.org")["id"]
    third = register(client, admin, event_id, email="alan@example.org")
    complete(client, admin, second, "approval")
    path = f"/v1/events/{event_id}/steps/approval/queue"

    page = expect.ok(read(client, container, admin, path, third, limit=1))
    rest = client.simulate_get(path, params={"cursor": page["next_cursor"]}, headers=admin.headers)

    assert [q["participant_id"] for q in page["items"]] == [first]
    assert page["items"][0]["step_id"] == "approval"
    assert [q["participant_id"] for q in expect.ok(rest)["items"]] == [third.json["id"]]
    nobody = client.simulate_get(
        f"/v1/events/{event_id}/steps/nowhere/queue", headers=admin.headers
    )
    assert expect.ok(nobody) == {"items": [], "next_cursor": None}


def test_a_step_id_no_workflow_could_have_has_no_queue_but_a_404(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    container.catch_up()

    for step in ("no%20spaces", "nul%00", "x" * 65):
        result = client.simulate_get(
            f"/v1/events/{event_id}/steps/{step}/queue", headers=admin.headers
        )
        expect.problem(result, 404, "not-found")


def test_counts_give_participants_per_status_and_category_and_the_seats_taken(
    client: TestClient, container: Container, admin: Caller
) -> None:
    categories = [{"code": "press", "name": "Press"}]
    event_id = open_event(client, admin, capacity=10, categories=categories)["id"]
    ada = registered(client, admin, event_id, category="press")["id"]
    registered(client, admin, event_id, email="grace@example.org", category="press")
    approved = complete(client, admin, ada, "approval")

    result = read(client, container, admin, f"/v1/events/{event_id}/counts", approved)

    body = expect.ok(result)
    assert body["by_status"] == {
        "pending": 1,
        "approved": 1,
        "rejected": 0,
        "withdrawn": 0,
        "cancelled": 0,
        "merged": 0,
        "waitlisted": 0,
    }
    assert body["by_category"] == {"press": {"pending": 1, "approved": 1}}
    assert (body["total"], body["capacity"], body["seats_taken"]) == (2, 10, 1)


def test_reads_under_another_tenants_event_are_404s_not_empty_answers(
    client: TestClient, container: Container, admin: Caller, outsider: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    registered(client, admin, event_id)
    container.catch_up()

    for suffix in ("/participants", "/counts", "/steps/approval/queue"):
        result = client.simulate_get(f"/v1/events/{event_id}{suffix}", headers=outsider.headers)
        expect.problem(result, 404, "not-found")


# Moving through the workflow


def test_completing_a_step_records_the_api_key_as_actor_and_answers_the_new_state(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    result = client.simulate_post(
        f"/v1/participants/{participant_id}/steps/approval/complete",
        json={"outcome": "approved", "comment": "Badge photo checked.\nAll good."},
        headers=with_etag(admin, '"1"'),
    )

    body = expect.ok(result)
    assert result.headers["ETag"] == '"2"'
    assert body["status"] == "approved"
    assert body["active_steps"] == []
    approval = next(s for s in body["steps"] if s["step_id"] == "approval")
    assert approval["outcome"] == "approved"
    assert approval["actor"] == f"api-key:{admin.key_id}"
    assert approval["comment"] == "Badge photo checked.\nAll good."


def test_a_rejection_rejects_the_participant(client: TestClient, admin: Caller) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    body = expect.ok(complete(client, admin, participant_id, "approval", "rejected"))

    assert body["status"] == "rejected"


def test_completing_a_step_that_is_not_active_is_a_409(client: TestClient, admin: Caller) -> None:
    event_id = open_event(client, admin, workflow=TWO_CHECKS)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    result = complete(client, admin, participant_id, "security")

    assert expect.problem(result, 409, "conflict")["code"] == "step-not-active"


def test_completing_a_step_the_workflow_lacks_is_a_404(client: TestClient, admin: Caller) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    result = complete(client, admin, participant_id, "teleport")

    assert expect.problem(result, 404, "not-found")["code"] == "unknown-step"


def test_the_approval_that_would_take_a_seat_too_many_is_a_409(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin, capacity=1)["id"]
    first = registered(client, admin, event_id)["id"]
    second = registered(client, admin, event_id, email="grace@example.org")["id"]
    expect.ok(complete(client, admin, first, "approval"))

    result = complete(client, admin, second, "approval")

    assert expect.problem(result, 409, "conflict")["code"] == "capacity-reached"


def test_a_full_event_or_category_refuses_a_registration_that_could_never_be_approved(
    client: TestClient, make_tenant: MakeTenant
) -> None:
    # Without waitlists (tests/unit/http/test_waitlists.py: with them, it would wait).
    admin = make_tenant(features=[f for f in Feature if f is not Feature.WAITLIST])
    categories = [{"code": "press", "name": "Press", "capacity": 1}, {"code": "staff", "name": "S"}]
    event_id = open_event(client, admin, capacity=2, categories=categories)["id"]
    reporter = registered(client, admin, event_id, category="press")["id"]
    expect.ok(complete(client, admin, reporter, "approval"))

    another_reporter = register(client, admin, event_id, email="b@example.org", category="press")
    staff = registered(client, admin, event_id, email="c@example.org", category="staff")["id"]
    expect.ok(complete(client, admin, staff, "approval"))
    anyone = register(client, admin, event_id, email="d@example.org", category="staff")
    withdrawn = client.simulate_post(f"/v1/participants/{staff}/withdraw", headers=admin.headers)
    expect.ok(withdrawn)

    category_full = expect.problem(another_reporter, 409, "conflict")
    event_full = expect.problem(anyone, 409, "conflict")
    assert (category_full["code"], event_full["code"]) == ("event-full", "event-full")
    assert "category 'press'" in category_full["detail"]
    assert "seats of the event" in event_full["detail"]
    # A seat given back lets the next registration in.
    expect.ok(register(client, admin, event_id, email="e@example.org", category="staff"), 201)


def test_capacity_cannot_drop_below_the_seats_taken(client: TestClient, admin: Caller) -> None:
    event_id = open_event(client, admin, capacity=5)["id"]
    participant_id = registered(client, admin, event_id)["id"]
    complete(client, admin, participant_id, "approval")

    result = client.simulate_patch(
        f"/v1/events/{event_id}", json={"capacity": 0}, headers=admin.headers
    )

    assert expect.problem(result, 409, "conflict")["code"] == "capacity-reached"


def test_completing_with_a_stale_etag_is_a_412(client: TestClient, admin: Caller) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    result = client.simulate_post(
        f"/v1/participants/{participant_id}/steps/approval/complete",
        json={"outcome": "approved"},
        headers=with_etag(admin, '"2"'),
    )

    expect.problem(result, 412, "precondition-failed")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "outcome"),
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "approved", "comment": "x" * 2001}, "comment"),
        ({"outcome": "approved", "comment": "a\x00b"}, "comment"),
        ({"outcome": "approved", "by": "me"}, "by"),
    ],
)
def test_a_bad_completion_is_a_422_naming_the_field(
    client: TestClient, admin: Caller, body: dict[str, Any], field: str
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    result = client.simulate_post(
        f"/v1/participants/{participant_id}/steps/approval/complete",
        json=body,
        headers=admin.headers,
    )

    assert field in [e["field"] for e in expect.problem(result, 422, "validation-failed")["errors"]]


# Changing details, withdrawing, cancelling


def test_changing_details_with_the_etag_answers_the_new_version_and_reads_follow(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id, organisation="Analytical Engines")["id"]

    result = client.simulate_patch(
        f"/v1/participants/{participant_id}",
        json={"last_name": "King", "organisation": None, "email": "ada.king@example.org"},
        headers=with_etag(admin, '"1"'),
    )

    body = expect.ok(result)
    assert (body["last_name"], body["organisation"]) == ("King", None)
    assert result.headers["ETag"] == f'"{body["version"]}"' == '"2"'
    read_back = expect.ok(
        read(client, container, admin, f"/v1/participants/{participant_id}", result)
    )
    assert read_back["email"] == "ada.king@example.org"
    expect.ok(register(client, admin, event_id), 201)


def test_changing_the_email_to_one_registered_already_is_a_409(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    ada = registered(client, admin, event_id)["id"]
    grace = registered(client, admin, event_id, email="grace@example.org")["id"]

    result = client.simulate_patch(
        f"/v1/participants/{grace}", json={"email": "Ada@example.org"}, headers=admin.headers
    )

    assert expect.problem(result, 409, "conflict")["participant_id"] == ada


def test_changing_details_with_a_stale_etag_or_bad_values_is_refused(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]
    path = f"/v1/participants/{participant_id}"

    stale = client.simulate_patch(path, json={"last_name": "K"}, headers=with_etag(admin, '"9"'))
    blank = client.simulate_patch(
        path, json={"first_name": None, "last_name": ""}, headers=admin.headers
    )
    unknown = client.simulate_patch(path, json={"category": "press"}, headers=admin.headers)

    expect.problem(stale, 412, "precondition-failed")
    expect.problem(blank, 422, "validation-failed")
    expect.problem(unknown, 422, "validation-failed")


def test_withdrawing_ends_the_workflow_frees_the_seat_and_keeps_the_reason(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin, capacity=1)["id"]
    ada = registered(client, admin, event_id)["id"]
    complete(client, admin, ada, "approval")

    result = client.simulate_post(
        f"/v1/participants/{ada}/withdraw",
        json={"reason": "Cannot travel"},
        headers=with_etag(admin, '"2"'),
    )

    body = expect.ok(result)
    assert (body["status"], body["reason"], body["active_steps"]) == (
        "withdrawn",
        "Cannot travel",
        [],
    )
    grace = registered(client, admin, event_id, email="grace@example.org")["id"]
    assert expect.ok(complete(client, admin, grace, "approval"))["status"] == "approved"


def test_cancelling_closes_the_open_steps_and_frees_the_email(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    result = client.simulate_post(
        f"/v1/participants/{participant_id}/cancel", headers=admin.headers
    )

    body = expect.ok(result)
    assert body["status"] == "cancelled"
    assert body["reason"] is None
    assert [s["status"] for s in body["steps"]] == ["cancelled"]
    expect.ok(register(client, admin, event_id), 201)


def test_restoring_a_cancelled_participant_gives_back_its_steps_and_its_email(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]
    path = f"/v1/participants/{participant_id}"
    client.simulate_post(f"{path}/cancel", json={"reason": "by mistake"}, headers=admin.headers)

    result = client.simulate_post(f"{path}/restore", json={}, headers=admin.headers)

    body = expect.ok(result)
    assert (body["status"], body["reason"], body["active_steps"]) == ("pending", None, ["approval"])
    assert [s["status"] for s in body["steps"]] == ["active"]
    assert result.headers["etag"] == f'"{body["version"]}"'
    assert expect.problem(register(client, admin, event_id), 409, "conflict")["code"] == (
        "already-registered"
    )
    assert expect.ok(complete(client, admin, participant_id, "approval"))["status"] == "approved"


def test_restoring_one_not_cancelled_or_whose_email_was_taken_is_a_409_naming_why(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    pending = registered(client, admin, event_id)["id"]
    cancelled = registered(client, admin, event_id, email="grace@example.org")["id"]
    client.simulate_post(f"/v1/participants/{cancelled}/cancel", headers=admin.headers)
    registered(client, admin, event_id, email="grace@example.org")

    not_cancelled = client.simulate_post(
        f"/v1/participants/{pending}/restore", json={}, headers=admin.headers
    )
    taken = client.simulate_post(
        f"/v1/participants/{cancelled}/restore", json={}, headers=admin.headers
    )

    assert expect.problem(not_cancelled, 409, "conflict")["code"] == "not-restorable"
    assert expect.problem(taken, 409, "conflict")["code"] == "already-registered"


def test_an_ended_registration_refuses_further_commands_with_a_409(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]
    client.simulate_post(f"/v1/participants/{participant_id}/withdraw", headers=admin.headers)

    for result in (
        complete(client, admin, participant_id, "approval"),
        client.simulate_post(f"/v1/participants/{participant_id}/cancel", headers=admin.headers),
        client.simulate_patch(
            f"/v1/participants/{participant_id}", json={"last_name": "K"}, headers=admin.headers
        ),
    ):
        assert expect.problem(result, 409, "conflict")["code"] == "registration-ended"


@pytest.mark.parametrize("path", ["withdraw", "cancel"])
def test_ending_a_registration_with_a_stale_etag_is_a_412_and_ends_nothing(
    client: TestClient, admin: Caller, path: str
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    result = client.simulate_post(
        f"/v1/participants/{participant_id}/{path}", headers=with_etag(admin, '"0"')
    )

    expect.problem(result, 412, "precondition-failed")
    assert expect.ok(complete(client, admin, participant_id, "approval"))["status"] == "approved"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("withdraw", {"reason": "x" * 501}),
        ("cancel", {"reason": 7}),
        ("cancel", {"why": "no"}),
    ],
)
def test_a_bad_reason_is_a_422(
    client: TestClient, admin: Caller, path: str, body: dict[str, Any]
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]

    result = client.simulate_post(
        f"/v1/participants/{participant_id}/{path}", json=body, headers=admin.headers
    )

    expect.problem(result, 422, "validation-failed")


# Tenancy and permissions


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"last_name": "Mine"}),
        ("POST", "/steps/approval/complete", {"outcome": "approved"}),
        ("POST", "/withdraw", None),
        ("POST", "/cancel", None),
        ("POST", "/restore", None),
    ],
)
def test_another_tenants_participant_is_a_404(
    client: TestClient,
    container: Container,
    admin: Caller,
    outsider: Caller,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    participant_id = registered(client, admin, open_event(client, admin)["id"])["id"]
    container.catch_up()

    result = client.simulate_request(
        method, f"/v1/participants/{participant_id}{suffix}", json=body, headers=outsider.headers
    )

    expect.problem(result, 404, "not-found")


def test_an_unknown_participant_or_a_malformed_id_is_a_404(
    client: TestClient, admin: Caller
) -> None:
    for path in (f"/v1/participants/{MISSING}", "/v1/participants/42"):
        expect.problem(client.simulate_get(path, headers=admin.headers), 404, "not-found")


def test_participant_routes_need_an_api_key(client: TestClient) -> None:
    for method, path in (
        ("GET", f"/v1/participants/{MISSING}"),
        ("POST", f"/v1/events/{MISSING}/participants"),
        ("GET", f"/v1/events/{MISSING}/counts"),
    ):
        expect.problem(client.simulate_request(method, path, json=ADA), 401, "unauthenticated")


def test_a_reader_of_participants_cannot_change_them(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    reader = issue_key(admin.tenant_id, ["participants:read"])
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]
    container.catch_up()

    expect.ok(client.simulate_get(f"/v1/participants/{participant_id}", headers=reader.headers))
    for result in (
        register(client, reader, event_id, email="grace@example.org"),
        complete(client, reader, participant_id, "approval"),
        client.simulate_post(f"/v1/participants/{participant_id}/withdraw", headers=reader.headers),
        client.simulate_post(f"/v1/participants/{participant_id}/restore", headers=reader.headers),
    ):
        assert (
            expect.problem(result, 403, "permission-denied")["permission"] == "participants:write"
        )


def test_an_events_only_key_cannot_read_participants(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    organiser = issue_key(admin.tenant_id, ["events:read", "events:write"])
    event_id = open_event(client, admin)["id"]
    container.catch_up()

    for suffix in ("/participants", "/counts", "/steps/approval/queue"):
        result = client.simulate_get(f"/v1/events/{event_id}{suffix}", headers=organiser.headers)
        assert expect.problem(result, 403, "permission-denied")["permission"] == "participants:read"
