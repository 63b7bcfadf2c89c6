"""An event's checkpoints over HTTP: add, read, change, activate, deactivate, remove."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller
from tests.unit.http.test_events import MISSING, create_event, read, with_etag
from tests.unit.http.test_zones import add_zone


def _checkpoints(event_id: str) -> str:
    return f"/v1/events/{event_id}/checkpoints"


def _gate(client: TestClient, caller: Caller) -> tuple[str, dict[str, Any], dict[str, Any]]:
    event_id: str = create_event(client, caller)["id"]
    arena = add_zone(client, caller, event_id)
    answer = client.simulate_post(
        _checkpoints(event_id),
        json={"name": "North gate", "direction": "ENTRY", "zone_id": arena["id"]},
        headers=caller.headers,
    )
    gate: dict[str, Any] = expect.ok(answer, 201)
    assert answer.headers["Location"] == f"{_checkpoints(event_id)}/{gate['id']}"
    return event_id, arena, gate


def test_a_new_checkpoint_is_active_and_leads_into_its_zone(
    client: TestClient, admin: Caller
) -> None:
    event_id, arena, gate = _gate(client, admin)

    assert gate == {
        "id": gate["id"],
        "event_id": event_id,
        "name": "North gate",
        "direction": "ENTRY",
        "zone_id": arena["id"],
        "active": True,
        "version": 3,
    }


def test_deactivating_twice_records_once_and_reads_back_inactive(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, _, gate = _gate(client, admin)
    path = f"{_checkpoints(event_id)}/{gate['id']}"

    first = client.simulate_post(f"{path}/deactivate", headers=admin.headers)
    second = client.simulate_post(f"{path}/deactivate", headers=admin.headers)
    one = read(client, container, admin, path, first)
    listed = client.simulate_get(_checkpoints(event_id), headers=admin.headers)

    assert expect.ok(first)["active"] is False
    assert first.headers["ETag"] == second.headers["ETag"] == '"4"'
    assert "Accredit-Position" not in second.headers  # nothing was recorded
    assert expect.ok(one) == first.json
    assert expect.ok(listed) == {"items": [first.json], "next_cursor": None}


def test_activating_an_inactive_checkpoint_lets_people_through_again(
    client: TestClient, admin: Caller
) -> None:
    event_id, _, gate = _gate(client, admin)
    path = f"{_checkpoints(event_id)}/{gate['id']}"
    client.simulate_post(f"{path}/deactivate", headers=admin.headers)

    answer = client.simulate_post(f"{path}/activate", headers=with_etag(admin, '"4"'))

    assert expect.ok(answer)["active"] is True
    assert answer.headers["ETag"] == '"5"'


def test_a_checkpoint_is_led_to_another_zone_and_its_old_zone_can_then_go(
    client: TestClient, admin: Caller
) -> None:
    event_id, arena, gate = _gate(client, admin)
    hall = add_zone(client, admin, event_id, code="hall", name="Hall")
    path = f"{_checkpoints(event_id)}/{gate['id']}"

    moved = client.simulate_patch(
        path, json={"zone_id": hall["id"], "direction": "BOTH"}, headers=admin.headers
    )
    removed = client.simulate_delete(
        f"/v1/events/{event_id}/zones/{arena['id']}", headers=admin.headers
    )

    assert (expect.ok(moved)["zone_id"], moved.json["direction"]) == (hall["id"], "BOTH")
    expect.ok(removed)


def test_a_removed_checkpoint_is_gone(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, _, gate = _gate(client, admin)
    path = f"{_checkpoints(event_id)}/{gate['id']}"

    removed = client.simulate_delete(path, headers=admin.headers)
    after = read(client, container, admin, path, removed)

    assert expect.ok(removed) == {"id": gate["id"], "version": 4}
    expect.problem(after, 404, "not-found")


def test_a_stale_if_match_is_a_412(client: TestClient, admin: Caller) -> None:
    event_id, _, gate = _gate(client, admin)

    answer = client.simulate_post(
        f"{_checkpoints(event_id)}/{gate['id']}/deactivate", headers=with_etag(admin, '"2"')
    )

    expect.problem(answer, 412, "precondition-failed")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Gate", "direction": "SIDEWAYS", "zone_id": MISSING},
        {"name": "Gate", "direction": "ENTRY"},
        {"name": "", "direction": "ENTRY", "zone_id": MISSING},
        {"name": "Gate", "direction": "ENTRY", "zone_id": 7},
        {"name": "Gate", "direction": "ENTRY", "zone_id": MISSING},
    ],
)
def test_a_bad_checkpoint_is_a_422(client: TestClient, admin: Caller, body: dict[str, Any]) -> None:
    event_id, _, _ = _gate(client, admin)

    answer = client.simulate_post(_checkpoints(event_id), json=body, headers=admin.headers)

    assert expect.problem(answer, 422, "validation-failed")["errors"]


def test_an_event_without_zones_has_no_checkpoint_to_add(client: TestClient, admin: Caller) -> None:
    event_id = create_event(client, admin)["id"]

    answer = client.simulate_post(
        _checkpoints(event_id),
        json={"name": "Gate", "direction": "ENTRY", "zone_id": MISSING},
        headers=admin.headers,
    )

    expect.problem(answer, 404, "not-found")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("GET", "/{gate}"),
        ("PATCH", "/{gate}"),
        ("DELETE", "/{gate}"),
        ("POST", "/{gate}/activate"),
        ("POST", "/{gate}/deactivate"),
    ],
)
def test_another_tenants_checkpoints_are_not_found(
    client: TestClient,
    container: Container,
    admin: Caller,
    outsider: Caller,
    method: str,
    suffix: str,
) -> None:
    event_id, _, gate = _gate(client, admin)
    container.catch_up()
    body = {"name": "Mine"} if method == "PATCH" else None

    answer = client.simulate_request(
        method,
        _checkpoints(event_id) + suffix.format(gate=gate["id"]),
        json=body,
        headers=outsider.headers,
    )

    expect.problem(answer, 404, "not-found")
