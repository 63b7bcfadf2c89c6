"""What a key may do: its permissions, and the features its tenant has enabled."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import TestClient

from domain.platform.features import Feature
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey, MakeTenant

# Every authenticated route, with a body that would succeed for an ADMIN key.
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/tenant", None),
    ("PATCH", "/v1/tenant", {"name": "Renamed"}),
    ("GET", "/v1/api-keys", None),
    ("POST", "/v1/api-keys", {"name": "k", "permissions": ["tenant:read"]}),
    ("GET", "/v1/api-keys/{key}", None),
    ("POST", "/v1/api-keys/{key}/rotate", {"grace_seconds": 0}),
    ("POST", "/v1/api-keys/{key}/revoke", None),
]

# What each route needs.
NEEDS = {
    ("GET", "/v1/tenant"): "tenant:read",
    ("PATCH", "/v1/tenant"): "tenant:manage",
    ("GET", "/v1/api-keys"): "api-keys:manage",
    ("POST", "/v1/api-keys"): "api-keys:manage",
    ("GET", "/v1/api-keys/{key}"): "api-keys:manage",
    ("POST", "/v1/api-keys/{key}/rotate"): "api-keys:manage",
    ("POST", "/v1/api-keys/{key}/revoke"): "api-keys:manage",
}


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_key_without_the_routes_permission_gets_a_403_permission_denied(
    client: TestClient, admin: Caller, issue_key: IssueKey, method: str, path: str, body: Any
) -> None:
    needed = NEEDS[(method, path)]
    others = ["events:read"] if needed != "tenant:read" else ["api-keys:manage"]
    weak = issue_key(admin.tenant_id, others)

    result = client.simulate_request(
        method, path.format(key=admin.key_id), json=body, headers=weak.headers
    )

    assert expect.problem(result, 403, "permission-denied")["permission"] == needed


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_key_with_exactly_the_routes_permission_is_let_through(
    client: TestClient, admin: Caller, issue_key: IssueKey, method: str, path: str, body: Any
) -> None:
    key = issue_key(admin.tenant_id, [NEEDS[(method, path)]])

    result = client.simulate_request(
        method, path.format(key=admin.key_id), json=body, headers=key.headers
    )

    assert result.status_code in (200, 201), result.text


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_admin_holds_every_permission(
    client: TestClient, admin: Caller, issue_key: IssueKey, method: str, path: str, body: Any
) -> None:
    target = issue_key(admin.tenant_id)

    result = client.simulate_request(
        method, path.format(key=target.key_id), json=body, headers=admin.headers
    )

    assert result.status_code in (200, 201), result.text


def test_a_denied_command_changes_nothing(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    reader = issue_key(admin.tenant_id, ["tenant:read"])

    client.simulate_post(f"/v1/api-keys/{admin.key_id}/revoke", headers=reader.headers)

    expect.ok(client.simulate_get("/v1/tenant", headers=admin.headers))


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_tenant_without_the_rest_api_gets_403_feature_disabled_everywhere(
    client: TestClient, make_tenant: MakeTenant, method: str, path: str, body: Any
) -> None:
    caller = make_tenant(features=[f for f in Feature if f is not Feature.REST_API])

    result = client.simulate_request(
        method, path.format(key=caller.key_id), json=body, headers=caller.headers
    )

    assert expect.problem(result, 403, "feature-disabled")["feature"] == "REST_API"


def test_switching_the_rest_api_off_refuses_the_next_request(
    client: TestClient, container: Container, admin: Caller
) -> None:
    expect.ok(client.simulate_get("/v1/tenant", headers=admin.headers))

    container.platform.set_feature(admin.tenant_id, Feature.REST_API, False)

    expect.problem(
        client.simulate_get("/v1/tenant", headers=admin.headers), 403, "feature-disabled"
    )
    container.platform.set_feature(admin.tenant_id, Feature.REST_API, True)
    expect.ok(client.simulate_get("/v1/tenant", headers=admin.headers))


def test_a_disabled_feature_is_checked_before_the_permission(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    weak = issue_key(admin.tenant_id, ["events:read"])
    container.platform.set_feature(admin.tenant_id, Feature.REST_API, False)

    result = client.simulate_get("/v1/api-keys", headers=weak.headers)

    expect.problem(result, 403, "feature-disabled")


def test_public_routes_answer_whatever_the_tenants_features(
    client: TestClient, container: Container, admin: Caller
) -> None:
    container.platform.set_feature(admin.tenant_id, Feature.REST_API, False)

    assert client.simulate_get("/health", headers=admin.headers).status_code == 200
