"""The auditor's API: history, aggregates, past states and the export, through Falcon."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest
from falcon.testing import TestClient

from adapters.sql.paging import encode_cursor
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey

ROUTES = [
    "/v1/audit/events",
    "/v1/audit/export",
    "/v1/audit/aggregates/{id}/events",
    "/v1/audit/aggregates/{id}/state",
]


def walk(client: TestClient, caller: Caller, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = expect.ok(client.simulate_get(path, params=query, headers=caller.headers))
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        cursor = page["next_cursor"]


def issue_over_http(client: TestClient, caller: Caller, name: str) -> dict[str, Any]:
    result = client.simulate_post(
        "/v1/api-keys",
        json={"name": name, "permissions": ["tenant:read"]},
        headers={**caller.headers, "X-Correlation-Id": "audit-trail-1", "X-Request-Id": "req-1"},
    )
    body: dict[str, Any] = expect.ok(result, 201)
    return body


def test_the_history_shows_who_did_what_with_payloads_and_no_secret(
    client: TestClient, container: Container, admin: Caller
) -> None:
    issued = issue_over_http(client, admin, "north gate")
    container.catch_up()

    items = walk(client, admin, "/v1/audit/events")

    assert [i["type"] for i in items] == ["Tenant.Created", "ApiKey.Issued", "ApiKey.Issued"]
    last = items[-1]
    assert last["aggregate_id"] == issued["id"]
    assert (last["aggregate_type"], last["application"], last["version"]) == (
        "ApiKey",
        "platform",
        1,
    )
    assert last["topic"] == "domain.platform.apikey:ApiKey.Issued"
    assert last["actor"] == f"api-key:{admin.key_id}"
    assert (last["correlation_id"], last["causation_id"]) == ("audit-trail-1", "req-1")
    assert last["payload"]["name"] == "north gate"
    assert last["payload"]["secret_digest"] == "[redacted]"
    assert [i["position"] for i in items] == sorted(i["position"] for i in items)
    assert issued["secret"] not in json.dumps(items)


def test_a_query_naming_a_commands_position_sees_its_domain_event(
    client: TestClient, container: Container, admin: Caller
) -> None:
    result = client.simulate_post(
        "/v1/api-keys", json={"name": "gate", "permissions": ["tenant:read"]}, headers=admin.headers
    )
    expect.ok(result, 201)
    query = {"event_type": "ApiKey.Issued", "min_position": result.headers["Accredit-Position"]}

    lagging = client.simulate_get("/v1/audit/events", params=query, headers=admin.headers)
    container.catch_up()
    caught_up = client.simulate_get("/v1/audit/events", params=query, headers=admin.headers)

    expect.problem(lagging, 503, "projection-lagging")
    assert expect.ok(caught_up)["items"][-1]["aggregate_id"] == result.json["id"]


def test_filters_and_pages_give_every_match_once(
    client: TestClient, container: Container, admin: Caller
) -> None:
    keys = [issue_over_http(client, admin, f"gate {n}")["id"] for n in range(4)]
    rotated = client.simulate_post(
        f"/v1/api-keys/{keys[0]}/rotate", json={"grace_seconds": 0}, headers=admin.headers
    )
    expect.ok(rotated)
    container.catch_up()
    everything = walk(client, admin, "/v1/audit/events", limit=200)

    assert walk(client, admin, "/v1/audit/events", limit=1) == everything
    by_key = walk(client, admin, "/v1/audit/events", aggregate_id=keys[0], limit=1)
    assert [i["type"] for i in by_key] == ["ApiKey.Issued", "ApiKey.Rotated"]
    by_type = walk(client, admin, "/v1/audit/events", event_type="ApiKey.Rotated")
    assert [i["aggregate_id"] for i in by_type] == [keys[0]]
    by_actor = walk(client, admin, "/v1/audit/events", actor=f"api-key:{admin.key_id}", limit=2)
    assert len(by_actor) == 5
    since, until = everything[2]["occurred_at"], everything[4]["occurred_at"]
    in_range = walk(client, admin, "/v1/audit/events", since=since, until=until)
    assert in_range == everything[2:4]


def test_an_aggregates_history_is_its_own_domain_events_in_version_order(
    client: TestClient, container: Container, admin: Caller
) -> None:
    key = issue_over_http(client, admin, "gate")["id"]
    for _ in range(2):
        expect.ok(
            client.simulate_post(
                f"/v1/api-keys/{key}/rotate", json={"grace_seconds": 0}, headers=admin.headers
            )
        )
    container.catch_up()

    items = walk(client, admin, f"/v1/audit/aggregates/{key}/events", limit=2)

    assert [(i["version"], i["type"]) for i in items] == [
        (1, "ApiKey.Issued"),
        (2, "ApiKey.Rotated"),
        (3, "ApiKey.Rotated"),
    ]


def test_the_state_as_of_a_version_or_moment_is_the_key_then(
    client: TestClient, container: Container, admin: Caller
) -> None:
    key = issue_over_http(client, admin, "gate")["id"]
    expect.ok(client.simulate_post(f"/v1/api-keys/{key}/revoke", headers=admin.headers))
    container.catch_up()
    issued, revoked = walk(client, admin, f"/v1/audit/aggregates/{key}/events")
    path = f"/v1/audit/aggregates/{key}/state"

    before = client.simulate_get(path, params={"version": "1"}, headers=admin.headers)
    at_revocation = client.simulate_get(
        path, params={"at": revoked["occurred_at"]}, headers=admin.headers
    )
    latest = client.simulate_get(path, headers=admin.headers)

    assert expect.ok(before)["state"]["revoked_at"] is None
    assert before.json["as_of"] == issued["occurred_at"]
    assert before.headers["ETag"] == '"1"'
    assert before.json["state"]["secrets"] == [{"digest": "[redacted]", "valid_until": None}]
    assert expect.ok(at_revocation)["version"] == 2
    assert at_revocation.json["state"]["revoked_at"] is not None
    assert expect.ok(latest) == at_revocation.json


def test_the_export_is_the_paged_history_as_json_lines(
    client: TestClient, container: Container, admin: Caller
) -> None:
    for n in range(3):
        issue_over_http(client, admin, f"gate {n}")
    container.catch_up()

    whole = client.simulate_get("/v1/audit/export", headers=admin.headers)
    filtered = client.simulate_get(
        "/v1/audit/export", params={"event_type": "ApiKey.Issued"}, headers=admin.headers
    )

    assert whole.status_code == 200
    assert whole.headers["Content-Type"] == "application/x-ndjson"
    assert "attachment" in whole.headers["Content-Disposition"]
    lines = [json.loads(line) for line in whole.text.splitlines()]
    assert lines == walk(client, admin, "/v1/audit/events", limit=2)
    assert len(lines) == 5
    assert [json.loads(line)["type"] for line in filtered.text.splitlines()] == [
        "ApiKey.Issued"
    ] * 4


def test_another_tenants_history_and_aggregates_are_invisible(
    client: TestClient, container: Container, admin: Caller, outsider: Caller
) -> None:
    theirs = issue_over_http(client, outsider, "their gate")["id"]
    container.catch_up()

    mine = walk(client, admin, "/v1/audit/events")
    exported = client.simulate_get("/v1/audit/export", headers=admin.headers).text

    assert str(outsider.tenant_id) not in json.dumps(mine) + exported
    for path in (f"/v1/audit/aggregates/{theirs}/events", f"/v1/audit/aggregates/{theirs}/state"):
        expect.problem(client.simulate_get(path, headers=admin.headers), 404, "not-found")
    assert walk(client, admin, "/v1/audit/events", aggregate_id=theirs) == []


@pytest.mark.parametrize("route", ROUTES)
def test_every_audit_route_needs_the_audit_permission(
    client: TestClient, admin: Caller, issue_key: IssueKey, route: str
) -> None:
    reader = issue_key(admin.tenant_id, ["tenant:read", "api-keys:manage"])

    result = client.simulate_get(route.format(id=admin.tenant_id), headers=reader.headers)

    assert expect.problem(result, 403, "permission-denied")["permission"] == "audit:read"


@pytest.mark.parametrize(
    ("params", "status", "slug", "field"),
    [
        ({"version": "1", "at": "2030-01-01T00:00:00Z"}, 400, "invalid-parameter", "at"),
        ({"version": "0"}, 400, "invalid-parameter", "version"),
        ({"version": "two"}, 400, "invalid-parameter", "version"),
        ({"at": "2030-01-01T00:00:00"}, 400, "invalid-parameter", "at"),
        ({"at": "0001-01-01T00:00:00+01:00"}, 400, "invalid-parameter", "at"),
        ({"when": "now"}, 400, "invalid-parameter", "when"),
        ({"version": "3"}, 422, "validation-failed", "version"),
        ({"at": "2000-01-01T00:00:00Z"}, 422, "validation-failed", "at"),
    ],
)
def test_a_bad_point_in_history_is_a_problem(
    client: TestClient,
    admin: Caller,
    params: dict[str, str],
    status: int,
    slug: str,
    field: str,
) -> None:
    path = f"/v1/audit/aggregates/{admin.tenant_id}/state"

    body = expect.problem(
        client.simulate_get(path, params=params, headers=admin.headers), status, slug
    )

    assert field in {e["field"] for e in body["errors"]}


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"until": "2030-01-01T00:00:00"},
        {"aggregate_id": "not-a-uuid"},
        {"actor": ""},
        {"event_type": "ApiKey\x00Issued"},
        {"typo": "x"},
    ],
)
@pytest.mark.parametrize("route", ["/v1/audit/events", "/v1/audit/export"])
def test_a_bad_filter_is_a_400_problem(
    client: TestClient, admin: Caller, route: str, params: dict[str, str]
) -> None:
    result = client.simulate_get(route, params=params, headers=admin.headers)

    expect.problem(result, 400, "invalid-parameter")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        encode_cursor("1"),  # an aggregate history's cursor
        encode_cursor("2030-01-01T00:00:00+00:00", "platform", "9" * 30),
        encode_cursor("2030-01-01T00:00:00", "platform", "1"),
        encode_cursor("2030-01-01T00:00:00+00:00", "plat\x00form", "1"),
    ],
)
def test_a_cursor_not_handed_out_for_the_history_is_a_400(
    client: TestClient, admin: Caller, cursor: str
) -> None:
    result = client.simulate_get(
        "/v1/audit/events", params={"cursor": cursor}, headers=admin.headers
    )

    expect.problem(result, 400, "invalid-cursor")


def test_an_unknown_aggregate_is_a_404(client: TestClient, admin: Caller) -> None:
    for path in ("events", "state"):
        result = client.simulate_get(
            f"/v1/audit/aggregates/{uuid4()}/{path}", headers=admin.headers
        )
        expect.problem(result, 404, "not-found")


def test_the_audit_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = expect.ok(client.simulate_get("/v1/openapi.json"))["paths"]

    for route in ROUTES:
        operation = paths[route.format(id="{aggregate_id}")]["get"]
        assert "audit:read" in operation["description"]
    history = paths["/v1/audit/events"]["get"]["parameters"]
    assert {"aggregate_id", "event_type", "actor", "since", "until"} <= {p["name"] for p in history}
    assert "application/x-ndjson" in paths["/v1/audit/export"]["get"]["responses"]["200"]["content"]
