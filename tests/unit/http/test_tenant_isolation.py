"""A tenant's data is invisible to every other tenant: 404, never 403."""

from __future__ import annotations

import pytest
from falcon.testing import TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey


def test_listing_shows_only_the_callers_own_keys(
    client: TestClient, container: Container, admin: Caller, outsider: Caller, issue_key: IssueKey
) -> None:
    mine = issue_key(admin.tenant_id)
    issue_key(outsider.tenant_id)
    container.catch_up()

    page = expect.ok(client.simulate_get("/v1/api-keys", headers=admin.headers))

    assert {item["id"] for item in page["items"]} == {str(admin.key_id), str(mine.key_id)}


def test_reading_another_tenants_key_is_a_404(
    client: TestClient, admin: Caller, outsider: Caller
) -> None:
    result = client.simulate_get(f"/v1/api-keys/{outsider.key_id}", headers=admin.headers)

    expect.problem(result, 404, "not-found")


@pytest.mark.parametrize("action", ["rotate", "revoke"])
def test_changing_another_tenants_key_is_a_404_and_changes_nothing(
    client: TestClient, container: Container, admin: Caller, outsider: Caller, action: str
) -> None:
    result = client.simulate_post(
        f"/v1/api-keys/{outsider.key_id}/{action}",
        json={"grace_seconds": 0} if action == "rotate" else None,
        headers=admin.headers,
    )

    expect.problem(result, 404, "not-found")
    container.catch_up()
    theirs = client.simulate_get(f"/v1/api-keys/{outsider.key_id}", headers=outsider.headers)
    assert expect.ok(theirs)["version"] == 1


def test_a_tenant_id_is_not_a_key_id(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post(f"/v1/api-keys/{admin.tenant_id}/revoke", headers=admin.headers)

    expect.problem(result, 404, "not-found")


def test_the_tenant_resource_is_always_the_callers_own(
    client: TestClient, admin: Caller, outsider: Caller
) -> None:
    mine = expect.ok(client.simulate_get("/v1/tenant", headers=admin.headers))
    theirs = expect.ok(client.simulate_get("/v1/tenant", headers=outsider.headers))

    assert (mine["id"], mine["name"]) == (str(admin.tenant_id), "Acme Events")
    assert (theirs["id"], theirs["name"]) == (str(outsider.tenant_id), "Rival Conferences")


def test_an_idempotency_key_of_one_tenant_does_not_replay_for_another(
    client: TestClient, admin: Caller, outsider: Caller
) -> None:
    body = {"name": "Same name", "permissions": ["tenant:read"]}
    first = client.simulate_post(
        "/v1/api-keys", json=body, headers={**admin.headers, "Idempotency-Key": "shared"}
    )
    second = client.simulate_post(
        "/v1/api-keys", json=body, headers={**outsider.headers, "Idempotency-Key": "shared"}
    )

    assert expect.ok(first, 201)["id"] != expect.ok(second, 201)["id"]
    assert "Idempotent-Replayed" not in second.headers
