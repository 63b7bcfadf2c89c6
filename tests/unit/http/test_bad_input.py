"""Input found by probing the API: each refused with a clear 422, never a 500 or a poisoned view."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller
from tests.unit.http.test_events import EXPO, create_event, open_event
from tests.unit.http.test_participants import registered

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "gpj.exe" shows as "exe.jpg"


@pytest.mark.parametrize("zone", ["Europe", "America", "Etc", "localtime", "posixrules", "Factory"])
def test_a_name_that_is_no_iana_time_zone_is_refused(
    client: TestClient, admin: Caller, zone: str
) -> None:
    result = client.simulate_post(
        "/v1/events", json={**EXPO, "time_zone": zone}, headers=admin.headers
    )

    body = expect.problem(result, 422, "validation-failed")
    assert body["errors"] == [
        {"field": "time_zone", "message": f"'{zone}' is not an IANA time zone"}
    ]


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "America/Argentina/Buenos_Aires"])
def test_iana_time_zones_are_accepted(client: TestClient, admin: Caller, zone: str) -> None:
    assert create_event(client, admin, time_zone=zone)["time_zone"] == zone


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/tenant", {"name": f"Acme{RLO}Events"}),
        ("/v1/api-keys", {"name": f"gate{RLO}1", "permissions": ["tenant:read"]}),
        ("/v1/events", {**EXPO, "name": f"Expo{RLO}"}),
        ("/v1/events", {**EXPO, "venue": f"Hall{RLO}7"}),
        ("/v1/events", {**EXPO, "categories": [{"code": "press", "name": f"Pr{RLO}ess"}]}),
    ],
)
def test_bidirectional_controls_are_refused_in_names_and_venues(
    client: TestClient, admin: Caller, path: str, body: dict[str, Any]
) -> None:
    method = client.simulate_patch if path == "/v1/tenant" else client.simulate_post

    result = method(path, json=body, headers=admin.headers)

    expect.problem(result, 422, "validation-failed")


@pytest.mark.parametrize("field", ["first_name", "last_name", "organisation"])
def test_bidirectional_controls_are_refused_in_a_participants_details(
    client: TestClient, admin: Caller, field: str
) -> None:
    event_id = open_event(client, admin)["id"]
    person = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}

    result = client.simulate_post(
        f"/v1/events/{event_id}/participants",
        json={**person, field: f"Ada{RLO}\u2066x\u2069"},
        headers=admin.headers,
    )

    body = expect.problem(result, 422, "validation-failed")
    assert body["errors"][0]["field"] == field


def test_bidirectional_controls_are_refused_in_comments_and_reasons(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    participant = registered(client, admin, event_id)["id"]

    completed = client.simulate_post(
        f"/v1/participants/{participant}/steps/approval/complete",
        json={"outcome": "approved", "comment": f"fine{RLO}"},
        headers=admin.headers,
    )
    withdrawn = client.simulate_post(
        f"/v1/participants/{participant}/withdraw",
        json={"reason": f"busy{RLO}"},
        headers=admin.headers,
    )

    assert expect.problem(completed, 422, "validation-failed")["errors"][0]["field"] == "comment"
    assert expect.problem(withdrawn, 422, "validation-failed")["errors"][0]["field"] == "reason"


def test_right_to_left_text_without_controls_is_a_name_like_any_other(
    client: TestClient, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]

    person = registered(
        client,
        admin,
        event_id,
        first_name="\u05d3\u05d5\u05d3",
        last_name="\u0644\u064a\u0644\u0649",
    )

    assert person["first_name"] == "\u05d3\u05d5\u05d3"


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00"])
def test_a_time_with_no_utc_form_is_refused_and_the_views_keep_following(
    client: TestClient, container: Container, admin: Caller, moment: str
) -> None:
    key = client.simulate_post(
        "/v1/api-keys",
        json={"name": "far", "permissions": ["tenant:read"], "expires_at": moment},
        headers=admin.headers,
    )
    event = client.simulate_post(
        "/v1/events", json={**EXPO, "ends_at": moment}, headers=admin.headers
    )
    later = client.simulate_post(
        "/v1/api-keys",
        json={"name": "later", "permissions": ["tenant:read"]},
        headers=admin.headers,
    )

    assert expect.problem(key, 422, "validation-failed")["errors"][0]["field"] == "expires_at"
    assert expect.problem(event, 422, "validation-failed")["errors"][0]["field"] in (
        "ends_at",
        "starts_at",
    )
    container.catch_up()
    read = client.simulate_get(
        f"/v1/api-keys/{expect.ok(later, 201)['id']}",
        params={"min_position": later.headers["Accredit-Position"]},
        headers=admin.headers,
    )
    assert expect.ok(read)["name"] == "later"
