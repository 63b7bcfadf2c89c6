"""Managed events over HTTP: create, list, read, change, open and close, and their workflow."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import Result, TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey
from tests.workflows import screening_then_two_checks

EXPO = {
    "name": "Expo 2030",
    "starts_at": "2030-06-01T09:00:00+02:00",
    "ends_at": "2030-06-03T18:00:00+02:00",
    "time_zone": "Europe/Paris",
}
TWO_CHECKS = screening_then_two_checks("ALL")
MISSING = "00000000-0000-4000-8000-000000000000"


def create_event(client: TestClient, caller: Caller, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = expect.ok(
        client.simulate_post("/v1/events", json={**EXPO, **fields}, headers=caller.headers), 201
    )
    return body


def open_event(client: TestClient, caller: Caller, **fields: Any) -> dict[str, Any]:
    """A new event with registration open."""
    event_id = create_event(client, caller, **fields)["id"]
    opened = client.simulate_post(
        f"/v1/events/{event_id}/open-registration", headers=caller.headers
    )
    body: dict[str, Any] = expect.ok(opened)
    return body


def read(
    client: TestClient,
    container: Container,
    caller: Caller,
    path: str,
    after: Result,
    **params: Any,
) -> Result:
    """GET path once its view has the domain events of the command answered by `after`."""
    container.catch_up()
    params["min_position"] = after.headers["Accredit-Position"]
    return client.simulate_get(path, params=params, headers=caller.headers)


def with_etag(caller: Caller, etag: str) -> dict[str, str]:
    return {**caller.headers, "If-Match": etag}


# Creating


def test_creating_an_event_answers_201_with_its_location_etag_and_position(
    client: TestClient, admin: Caller
) -> None:
    result = client.simulate_post(
        "/v1/events",
        json={**EXPO, "venue": "Hall 7", "capacity": 500, "country": "fr"},
        headers=admin.headers,
    )

    body = expect.ok(result, 201)
    assert body["country"] == "FR"
    assert result.headers["Location"] == f"/v1/events/{body['id']}"
    assert result.headers["ETag"] == '"1"'
    assert result.headers["Accredit-Position"].startswith("registration:")
    assert body["name"] == "Expo 2030"
    assert body["venue"] == "Hall 7"
    assert body["capacity"] == 500
    assert body["registration"] == "draft"
    assert body["workflow_version"] == 1
    assert body["starts_at"] == "2030-06-01T07:00:00+00:00"
    assert body["time_zone"] == "Europe/Paris"


def test_a_new_event_follows_the_default_single_approval_workflow(
    client: TestClient, container: Container, admin: Caller
) -> None:
    created = client.simulate_post("/v1/events", json=EXPO, headers=admin.headers)
    event_id = created.json["id"]

    result = read(client, container, admin, f"/v1/events/{event_id}/workflow", created)

    body = expect.ok(result)
    assert result.headers["ETag"] == '"1"'
    assert body["workflow_version"] == 1
    assert [s["id"] for s in body["workflow"]["steps"]] == ["approval", "accredited"]


def test_an_event_keeps_the_categories_and_workflow_it_was_created_with(
    client: TestClient, container: Container, admin: Caller
) -> None:
    categories = [
        {"code": "press", "name": "Press", "capacity": 20},
        {"code": "staff", "name": "Staff"},
    ]
    created = client.simulate_post(
        "/v1/events",
        json={**EXPO, "categories": categories, "workflow": TWO_CHECKS},
        headers=admin.headers,
    )
    event_id = expect.ok(created, 201)["id"]

    event = expect.ok(read(client, container, admin, f"/v1/events/{event_id}", created))
    workflow = expect.ok(
        client.simulate_get(f"/v1/events/{event_id}/workflow", headers=admin.headers)
    )

    assert event["categories"] == [
        {"code": "press", "name": "Press", "capacity": 20},
        {"code": "staff", "name": "Staff", "capacity": None},
    ]
    assert workflow["workflow"] == TWO_CHECKS


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "2030-06-01T09:00:00"}, "starts_at"),
        ({"ends_at": "2030-06-31T09:00:00+02:00"}, "ends_at"),
        ({"ends_at": "2030-05-01T09:00:00+02:00"}, "ends_at"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "../etc/passwd"}, "time_zone"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Expo\x00"}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 2.5}, "capacity"),
        ({"capacity": "10"}, "capacity"),
        ({"categories": [{"code": "Press!", "name": "Press"}]}, "categories.0.code"),
        (
            {"categories": [{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]},
            "categories[1].code",
        ),
        ({"categories": [{"code": "a", "name": "A", "seats": 3}]}, "categories.0.seats"),
        ({"workflow": "approval"}, "workflow"),
        ({"country": "FRA"}, "country"),
        ({"country": "QQ"}, "country"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_event_is_a_422_naming_the_field(
    client: TestClient, admin: Caller, change: dict[str, Any], field: str
) -> None:
    result = client.simulate_post("/v1/events", json={**EXPO, **change}, headers=admin.headers)

    body = expect.problem(result, 422, "validation-failed")
    assert field in [e["field"] for e in body["errors"]]


def test_an_event_without_its_required_fields_is_a_422_naming_each(
    client: TestClient, admin: Caller
) -> None:
    result = client.simulate_post("/v1/events", json={}, headers=admin.headers)

    body = expect.problem(result, 422, "validation-failed")
    assert {e["field"] for e in body["errors"]} == {"name", "starts_at", "ends_at", "time_zone"}


def test_an_invalid_workflow_is_a_422_listing_every_problem_under_workflow(
    client: TestClient, admin: Caller
) -> None:
    workflow = {
        "start": "nowhere",
        "steps": [
            {"id": "review", "kind": "review", "name": "Review"},
            {"id": "review", "kind": "teleport", "name": "Again"},
        ],
    }

    result = client.simulate_post(
        "/v1/events", json={**EXPO, "workflow": workflow}, headers=admin.headers
    )

    body = expect.problem(result, 422, "validation-failed")
    fields = [e["field"] for e in body["errors"]]
    assert body["code"] == "workflow-invalid"
    assert {"workflow.start", "workflow.steps[0].next", "workflow.steps[1].kind"} <= set(fields)
    assert len(fields) >= 4
    assert all(f.startswith("workflow.") for f in fields)


def test_a_retried_create_with_its_idempotency_key_creates_one_event(
    client: TestClient, container: Container, admin: Caller
) -> None:
    headers = {**admin.headers, "Idempotency-Key": "expo-once"}

    first = client.simulate_post("/v1/events", json=EXPO, headers=headers)
    again = client.simulate_post("/v1/events", json=EXPO, headers=headers)

    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    page = expect.ok(read(client, container, admin, "/v1/events", first))
    assert [e["id"] for e in page["items"]] == [first.json["id"]]


# Listing and reading


def test_listing_pages_through_the_events_by_start_time(
    client: TestClient, container: Container, admin: Caller
) -> None:
    for day in (5, 3, 9, 1, 7):
        create_event(
            client,
            admin,
            name=f"Day {day}",
            starts_at=f"2030-07-0{day}T09:00:00Z",
            ends_at=f"2030-07-0{day}T18:00:00Z",
        )
    container.catch_up()

    names: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = expect.ok(client.simulate_get("/v1/events", params=params, headers=admin.headers))
        names += [e["name"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": page["next_cursor"]}

    assert names == ["Day 1", "Day 3", "Day 5", "Day 7", "Day 9"]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 201}, {"limit": "ten"}, {"cursor": "x"}]
)
def test_a_bad_page_request_is_a_400(
    client: TestClient, admin: Caller, params: dict[str, Any]
) -> None:
    result = client.simulate_get("/v1/events", params=params, headers=admin.headers)

    assert result.status_code == 400
    assert result.headers["Content-Type"] == expect.PROBLEM_JSON


def test_reading_an_event_answers_its_document_with_its_version_as_etag(
    client: TestClient, container: Container, admin: Caller
) -> None:
    created = client.simulate_post("/v1/events", json=EXPO, headers=admin.headers)

    result = read(client, container, admin, f"/v1/events/{created.json['id']}", created)

    body = expect.ok(result)
    assert result.headers["ETag"] == '"1"'
    assert body == created.json


def test_an_unknown_event_or_a_malformed_id_is_a_404(client: TestClient, admin: Caller) -> None:
    for path in (
        f"/v1/events/{MISSING}",
        "/v1/events/not-a-uuid",
        f"/v1/events/{MISSING}/workflow",
    ):
        expect.problem(client.simulate_get(path, headers=admin.headers), 404, "not-found")


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"name": "Mine now"}),
        ("POST", "/open-registration", None),
        ("POST", "/close-registration", None),
        ("GET", "/workflow", None),
        ("PUT", "/workflow", {"workflow": TWO_CHECKS}),
    ],
)
def test_another_tenants_event_is_a_404(
    client: TestClient,
    container: Container,
    admin: Caller,
    outsider: Caller,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    event_id = create_event(client, admin)["id"]
    container.catch_up()

    result = client.simulate_request(
        method, f"/v1/events/{event_id}{suffix}", json=body, headers=outsider.headers
    )

    expect.problem(result, 404, "not-found")


def test_every_event_route_needs_an_api_key(client: TestClient) -> None:
    for method, path in (
        ("GET", "/v1/events"),
        ("POST", "/v1/events"),
        ("GET", f"/v1/events/{MISSING}"),
    ):
        expect.problem(client.simulate_request(method, path, json=EXPO), 401, "unauthenticated")


def test_a_reader_can_read_events_but_not_change_them(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    reader = issue_key(admin.tenant_id, ["events:read"])
    event_id = create_event(client, admin)["id"]
    container.catch_up()

    expect.ok(client.simulate_get(f"/v1/events/{event_id}", headers=reader.headers))
    for method, path, body in (
        ("POST", "/v1/events", EXPO),
        ("PATCH", f"/v1/events/{event_id}", {"name": "No"}),
        ("POST", f"/v1/events/{event_id}/open-registration", None),
        ("PUT", f"/v1/events/{event_id}/workflow", {"workflow": TWO_CHECKS}),
    ):
        result = client.simulate_request(method, path, json=body, headers=reader.headers)
        assert expect.problem(result, 403, "permission-denied")["permission"] == "events:write"


def test_a_key_without_events_read_cannot_list_events(
    client: TestClient, admin: Caller, issue_key: IssueKey
) -> None:
    desk = issue_key(admin.tenant_id, ["participants:read", "participants:write"])

    result = client.simulate_get("/v1/events", headers=desk.headers)

    assert expect.problem(result, 403, "permission-denied")["permission"] == "events:read"


# Changing


def test_changing_an_event_with_its_etag_answers_the_new_version(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = create_event(client, admin)["id"]

    result = client.simulate_patch(
        f"/v1/events/{event_id}",
        json={"name": "Expo 2030 Live", "venue": "Hall 2", "capacity": 10},
        headers=with_etag(admin, '"1"'),
    )

    body = expect.ok(result)
    assert (body["name"], body["venue"], body["capacity"]) == ("Expo 2030 Live", "Hall 2", 10)
    assert result.headers["ETag"] == f'"{body["version"]}"' != '"1"'
    assert expect.ok(read(client, container, admin, f"/v1/events/{event_id}", result)) == body


def test_changing_an_event_with_a_stale_etag_is_a_412_and_changes_nothing(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = create_event(client, admin)["id"]
    client.simulate_patch(f"/v1/events/{event_id}", json={"name": "First"}, headers=admin.headers)

    result = client.simulate_patch(
        f"/v1/events/{event_id}", json={"name": "Second"}, headers=with_etag(admin, '"1"')
    )

    expect.problem(result, 412, "precondition-failed")
    container.catch_up()
    event = expect.ok(client.simulate_get(f"/v1/events/{event_id}", headers=admin.headers))
    assert event["name"] == "First"


def test_an_end_moved_before_the_start_or_a_removed_category_is_a_422(
    client: TestClient, admin: Caller
) -> None:
    event_id = create_event(client, admin, categories=[{"code": "press", "name": "Press"}])["id"]

    moved = client.simulate_patch(
        f"/v1/events/{event_id}", json={"ends_at": "2030-05-01T00:00:00Z"}, headers=admin.headers
    )
    dropped = client.simulate_patch(
        f"/v1/events/{event_id}", json={"categories": []}, headers=admin.headers
    )

    assert expect.problem(moved, 422, "validation-failed")["errors"][0]["field"] == "ends_at"
    assert expect.problem(dropped, 422, "validation-failed")["errors"][0]["field"] == "categories"


def test_opening_and_closing_registration_answer_the_event_in_its_new_state(
    client: TestClient, admin: Caller
) -> None:
    event_id = create_event(client, admin)["id"]

    opened = client.simulate_post(
        f"/v1/events/{event_id}/open-registration", headers=with_etag(admin, '"1"')
    )
    closed = client.simulate_post(
        f"/v1/events/{event_id}/close-registration", headers=with_etag(admin, '"2"')
    )

    assert expect.ok(opened)["registration"] == "open"
    assert opened.headers["ETag"] == '"2"'
    assert expect.ok(closed)["registration"] == "closed"
    assert closed.headers["ETag"] == '"3"'


def test_opening_registration_with_a_stale_etag_is_a_412(client: TestClient, admin: Caller) -> None:
    event_id = create_event(client, admin)["id"]

    result = client.simulate_post(
        f"/v1/events/{event_id}/open-registration", headers=with_etag(admin, '"7"')
    )

    expect.problem(result, 412, "precondition-failed")


def test_opening_registration_takes_no_body(client: TestClient, admin: Caller) -> None:
    event_id = create_event(client, admin)["id"]

    result = client.simulate_post(
        f"/v1/events/{event_id}/open-registration", json={"now": True}, headers=admin.headers
    )

    expect.problem(result, 422, "validation-failed")


# The workflow


def test_publishing_a_workflow_answers_its_new_version_and_reads_show_it(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = create_event(client, admin)["id"]

    result = client.simulate_put(
        f"/v1/events/{event_id}/workflow",
        json={"workflow": TWO_CHECKS},
        headers=with_etag(admin, '"1"'),
    )

    body = expect.ok(result)
    assert body["workflow_version"] == 2
    assert body["workflow"] == TWO_CHECKS
    assert result.headers["ETag"] == '"2"'
    assert result.headers["Accredit-Position"].startswith("registration:")
    read_back = read(client, container, admin, f"/v1/events/{event_id}/workflow", result)
    assert expect.ok(read_back) == body


def test_every_published_workflow_version_stays_readable(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = create_event(client, admin)["id"]
    container.catch_up()
    first = expect.ok(client.simulate_get(f"/v1/events/{event_id}/workflow", headers=admin.headers))
    published = client.simulate_put(
        f"/v1/events/{event_id}/workflow", json={"workflow": TWO_CHECKS}, headers=admin.headers
    )
    path = f"/v1/events/{event_id}/workflow"

    old = expect.ok(read(client, container, admin, path, published, version="1"))
    new = expect.ok(client.simulate_get(path, params={"version": "2"}, headers=admin.headers))

    assert (old["workflow_version"], old["workflow"]) == (1, first["workflow"])
    assert (new["workflow_version"], new["workflow"]) == (2, TWO_CHECKS)
    assert old["version"] == new["version"] == 2
    unknown = client.simulate_get(path, params={"version": "3"}, headers=admin.headers)
    assert "version 3" in expect.problem(unknown, 404, "not-found")["detail"]
    for bad in ("0", "two", "99999999999"):
        refused = client.simulate_get(path, params={"version": bad}, headers=admin.headers)
        expect.problem(refused, 400, "invalid-parameter")


def test_publishing_an_invalid_workflow_is_a_422_and_keeps_the_current_one(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = create_event(client, admin)["id"]
    broken = {"start": "a", "steps": [{"id": "a", "kind": "review", "name": "A", "next": "b"}]}

    result = client.simulate_put(
        f"/v1/events/{event_id}/workflow", json={"workflow": broken}, headers=admin.headers
    )

    body = expect.problem(result, 422, "validation-failed")
    assert "workflow.steps[0].next" in [e["field"] for e in body["errors"]]
    container.catch_up()
    current = client.simulate_get(f"/v1/events/{event_id}/workflow", headers=admin.headers)
    assert expect.ok(current)["workflow_version"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "workflow"), ({"workflow": None}, "workflow"), ({"workflow": [1]}, "workflow")],
)
def test_a_publication_without_a_workflow_object_is_a_422(
    client: TestClient, admin: Caller, body: dict[str, Any], field: str
) -> None:
    event_id = create_event(client, admin)["id"]

    result = client.simulate_put(
        f"/v1/events/{event_id}/workflow", json=body, headers=admin.headers
    )

    assert expect.problem(result, 422, "validation-failed")["errors"][0]["field"] == field


def test_publishing_with_a_stale_etag_is_a_412(client: TestClient, admin: Caller) -> None:
    event_id = create_event(client, admin)["id"]
    client.simulate_post(f"/v1/events/{event_id}/open-registration", headers=admin.headers)

    result = client.simulate_put(
        f"/v1/events/{event_id}/workflow",
        json={"workflow": TWO_CHECKS},
        headers=with_etag(admin, '"1"'),
    )

    expect.problem(result, 412, "precondition-failed")
