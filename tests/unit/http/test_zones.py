"""An event's zones over HTTP: add, nest, read, change, set capacity and rules, remove."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey
from tests.unit.http.test_events import MISSING, create_event, read, with_etag

CATEGORIES = [{"code": "press", "name": "Press"}, {"code": "staff", "name": "Staff"}]
PRESS_ON_DAY_ONE = {
    "category": "press",
    "windows": [{"starts_at": "2030-06-01T09:00:00+02:00", "ends_at": "2030-06-01T18:00:00+02:00"}],
}


def _event(client: TestClient, caller: Caller) -> str:
    event_id: str = create_event(client, caller, categories=CATEGORIES)["id"]
    return event_id


def _zones(event_id: str) -> str:
    return f"/v1/events/{event_id}/zones"


def add_zone(client: TestClient, caller: Caller, event_id: str, **fields: Any) -> dict[str, Any]:
    body = {"code": "arena", "name": "Arena", **fields}
    answer = client.simulate_post(_zones(event_id), json=body, headers=caller.headers)
    added: dict[str, Any] = expect.ok(answer, 201)
    return added


def test_adding_a_zone_answers_201_with_its_location_etag_and_position(
    client: TestClient, admin: Caller
) -> None:
    event_id = _event(client, admin)

    answer = client.simulate_post(
        _zones(event_id),
        json={"code": "arena", "name": "Arena", "capacity": 5000},
        headers=admin.headers,
    )

    zone = expect.ok(answer, 201)
    assert answer.headers["Location"] == f"{_zones(event_id)}/{zone['id']}"
    assert answer.headers["ETag"] == '"2"'
    assert answer.headers["Accredit-Position"].startswith("access:")
    assert zone == {
        "id": zone["id"],
        "event_id": event_id,
        "code": "arena",
        "name": "Arena",
        "capacity": 5000,
        "parent_id": None,
        "reentry": "REENTRY_AFTER_EXIT",
        "restricted": False,
        "version": 2,
    }


def test_a_zone_and_the_list_read_back_as_the_commands_left_them(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = _event(client, admin)
    arena = add_zone(client, admin, event_id)
    vip = add_zone(client, admin, event_id, code="vip", name="VIP", parent_id=arena["id"])
    last = client.simulate_put(
        f"{_zones(event_id)}/{vip['id']}/capacity", json={"capacity": 40}, headers=admin.headers
    )

    one = read(client, container, admin, f"{_zones(event_id)}/{vip['id']}", last)
    page = expect.ok(
        client.simulate_get(_zones(event_id), params={"limit": 1}, headers=admin.headers)
    )
    rest = client.simulate_get(
        _zones(event_id), params={"cursor": page["next_cursor"]}, headers=admin.headers
    )

    assert expect.ok(one) == last.json
    assert one.headers["ETag"] == '"4"'
    assert [z["code"] for z in page["items"]] == ["arena"]
    assert [z["code"] for z in expect.ok(rest)["items"]] == ["vip"]
    assert expect.ok(rest)["next_cursor"] is None


def test_a_zones_rules_are_replaced_and_read_back_in_utc(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = _event(client, admin)
    arena = add_zone(client, admin, event_id)
    rules = f"{_zones(event_id)}/{arena['id']}/rules"

    replaced = client.simulate_put(
        rules, json={"rules": [PRESS_ON_DAY_ONE, {"category": "staff"}]}, headers=admin.headers
    )
    again = read(client, container, admin, rules, replaced)
    zone = client.simulate_get(f"{_zones(event_id)}/{arena['id']}", headers=admin.headers)

    assert expect.ok(again) == expect.ok(replaced)
    assert again.json["rules"] == [
        {
            "category": "press",
            "windows": [
                {"starts_at": "2030-06-01T07:00:00+00:00", "ends_at": "2030-06-01T16:00:00+00:00"}
            ],
        },
        {"category": "staff", "windows": []},
    ]
    assert expect.ok(zone)["restricted"] is True


def test_rules_naming_a_category_the_event_lacks_are_a_422(
    client: TestClient, admin: Caller
) -> None:
    event_id = _event(client, admin)
    arena = add_zone(client, admin, event_id)

    answer = client.simulate_put(
        f"{_zones(event_id)}/{arena['id']}/rules",
        json={"rules": [{"category": "athletes"}]},
        headers=admin.headers,
    )

    body = expect.problem(answer, 422, "validation-failed")
    assert body["errors"][0]["field"] == "rules[0].category"


def test_a_window_that_ends_before_it_starts_is_a_422(client: TestClient, admin: Caller) -> None:
    event_id = _event(client, admin)
    arena = add_zone(client, admin, event_id)
    backwards = {"starts_at": "2030-06-02T09:00:00Z", "ends_at": "2030-06-01T09:00:00Z"}

    answer = client.simulate_put(
        f"{_zones(event_id)}/{arena['id']}/rules",
        json={"rules": [{"category": "press", "windows": [backwards]}]},
        headers=admin.headers,
    )

    body = expect.problem(answer, 422, "validation-failed")
    assert body["errors"][0]["field"] == "rules[0].windows[0].ends_at"


def test_a_zone_code_given_twice_is_a_409(client: TestClient, admin: Caller) -> None:
    event_id = _event(client, admin)
    add_zone(client, admin, event_id)

    answer = client.simulate_post(
        _zones(event_id), json={"code": "arena", "name": "Arena 2"}, headers=admin.headers
    )

    assert expect.problem(answer, 409, "conflict")["code"] == "zone-code-taken"


def test_moving_a_zone_inside_its_own_zone_is_a_422(client: TestClient, admin: Caller) -> None:
    event_id = _event(client, admin)
    arena = add_zone(client, admin, event_id)
    vip = add_zone(client, admin, event_id, code="vip", name="VIP", parent_id=arena["id"])

    answer = client.simulate_patch(
        f"{_zones(event_id)}/{arena['id']}", json={"parent_id": vip["id"]}, headers=admin.headers
    )

    body = expect.problem(answer, 422, "validation-failed")
    assert body["errors"] == [
        {"field": "parent_id", "message": "a zone cannot sit inside itself or its own zones"}
    ]


def test_a_zone_with_a_zone_inside_is_not_removed_until_that_one_is(
    client: TestClient, admin: Caller
) -> None:
    event_id = _event(client, admin)
    arena = add_zone(client, admin, event_id)
    vip = add_zone(client, admin, event_id, code="vip", name="VIP", parent_id=arena["id"])

    refused = client.simulate_delete(f"{_zones(event_id)}/{arena['id']}", headers=admin.headers)
    removed = client.simulate_delete(f"{_zones(event_id)}/{vip['id']}", headers=admin.headers)

    assert expect.problem(refused, 409, "conflict")["code"] == "zone-in-use"
    assert expect.ok(removed) == {"id": vip["id"], "version": 4}
    assert removed.headers["ETag"] == '"4"'


def test_a_changed_zone_refuses_an_if_match_of_before_with_412(
    client: TestClient, admin: Caller
) -> None:
    event_id = _event(client, admin)
    arena = add_zone(client, admin, event_id)
    path = f"{_zones(event_id)}/{arena['id']}"
    renamed = client.simulate_patch(
        path, json={"name": "Main arena"}, headers=with_etag(admin, '"2"')
    )

    stale = client.simulate_patch(
        path, json={"reentry": "UNLIMITED"}, headers=with_etag(admin, '"2"')
    )

    assert expect.ok(renamed)["name"] == "Main arena"
    expect.problem(stale, 412, "precondition-failed")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Arena"},
        {"code": "Arena!", "name": "Arena"},
        {"code": "arena", "name": ""},
        {"code": "arena", "name": "Arena", "capacity": -1},
        {"code": "arena", "name": "Arena", "capacity": 2.5},
        {"code": "arena", "name": "Arena", "reentry": "TWICE"},
        {"code": "arena", "name": "Arena", "parent_id": "not-a-uuid"},
        {"code": "arena", "name": "Arena", "colour": "red"},
        {"code": "arena", "name": "   "},
    ],
)
def test_a_bad_zone_is_a_422_naming_the_field(
    client: TestClient, admin: Caller, body: dict[str, Any]
) -> None:
    event_id = _event(client, admin)

    answer = client.simulate_post(_zones(event_id), json=body, headers=admin.headers)

    assert expect.problem(answer, 422, "validation-failed")["errors"]


def test_a_parent_the_event_does_not_have_is_a_422(client: TestClient, admin: Caller) -> None:
    event_id = _event(client, admin)

    answer = client.simulate_post(
        _zones(event_id),
        json={"code": "vip", "name": "VIP", "parent_id": MISSING},
        headers=admin.headers,
    )

    assert expect.problem(answer, 422, "validation-failed")["errors"][0]["field"] == "parent_id"


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", "", {"code": "arena", "name": "Arena"}),
        ("GET", "", None),
        ("PATCH", "/{zone}", {"name": "Mine now"}),
        ("PUT", "/{zone}/capacity", {"capacity": 1}),
        ("PUT", "/{zone}/rules", {"rules": []}),
        ("GET", "/{zone}", None),
        ("GET", "/{zone}/rules", None),
        ("DELETE", "/{zone}", None),
    ],
)
def test_another_tenants_event_and_zones_are_not_found(
    client: TestClient,
    container: Container,
    admin: Caller,
    outsider: Caller,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    event_id = _event(client, admin)
    arena = add_zone(client, admin, event_id)
    container.catch_up()

    answer = client.simulate_request(
        method,
        _zones(event_id) + suffix.format(zone=arena["id"]),
        json=body,
        headers=outsider.headers,
    )

    expect.problem(answer, 404, "not-found")


def test_an_event_that_does_not_exist_has_no_zones_to_list_or_add(
    client: TestClient, admin: Caller
) -> None:
    listed = client.simulate_get(_zones(MISSING), headers=admin.headers)
    added = client.simulate_post(
        _zones(MISSING), json={"code": "arena", "name": "Arena"}, headers=admin.headers
    )

    expect.problem(listed, 404, "not-found")
    expect.problem(added, 404, "not-found")


def test_a_zone_of_the_event_that_does_not_exist_is_not_found(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = _event(client, admin)
    add_zone(client, admin, event_id)
    container.catch_up()

    read_ = client.simulate_get(f"{_zones(event_id)}/{MISSING}", headers=admin.headers)
    changed = client.simulate_put(
        f"{_zones(event_id)}/{MISSING}/capacity", json={"capacity": 3}, headers=admin.headers
    )

    expect.problem(read_, 404, "not-found")
    assert expect.problem(changed, 404, "not-found")["code"] == "unknown-zone"


def test_reading_zones_needs_access_read_and_changing_them_access_manage(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    event_id = _event(client, admin)
    reader = issue_key(admin.tenant_id, ["access:read"])

    listed = client.simulate_get(_zones(event_id), headers=reader.headers)
    refused = client.simulate_post(
        _zones(event_id), json={"code": "arena", "name": "Arena"}, headers=reader.headers
    )

    assert expect.ok(listed)["items"] == []
    assert expect.problem(refused, 403, "permission-denied")["permission"] == "access:manage"
