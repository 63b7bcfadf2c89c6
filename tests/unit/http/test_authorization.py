"""What a key may do: its permissions, and the features its tenant has enabled."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from falcon.testing import TestClient

from adapters.settings import Settings
from domain.platform.features import Feature
from domain.platform.permissions import Permission
from entrypoints.http.app import api_routes
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey, MakeTenant


def _operations() -> list[tuple[str, str, Permission | None, Feature | None]]:
    """Every operation of every context's routes that needs a key: (method, path, needs)."""
    with build(Settings(data_dir=Path(tempfile.mkdtemp()) / "var", demo_tenant=False)) as c:
        found = []
        for path, resource in api_routes(c):
            for method, operation in getattr(resource, "operations", {}).items():
                if not operation.public:
                    found.append((method, path, operation.permission, operation.feature))
        return found


OPERATIONS = _operations()
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")


def _path(template: str) -> str:
    """The template with an id of nobody's in each parameter (the check comes first)."""
    return _PARAM.sub(lambda m: str(uuid4()) if m.group(2) == "uuid" else "approval", template)


def _call(client: TestClient, method: str, path: str, caller: Caller) -> Any:
    body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
    return client.simulate_request(method, _path(path), json=body, headers=caller.headers)


def test_the_routes_checked_here_are_every_route_of_every_context() -> None:
    # The wiring list has them all: the platform's, registration's and the auditor's.
    paths = {path for _, path, _, _ in OPERATIONS}
    assert {"/v1/tenant", "/v1/events", "/v1/audit/events"} <= paths
    assert len(OPERATIONS) >= 27


@pytest.mark.parametrize(
    ("method", "path", "needed", "feature"), [op for op in OPERATIONS if op[2] is not None]
)
def test_a_key_without_the_routes_permission_gets_a_403_permission_denied(
    client: TestClient,
    admin: Caller,
    issue_key: IssueKey,
    method: str,
    path: str,
    needed: Permission | None,
    feature: Feature | None,
) -> None:
    assert needed is not None
    others = [p.value for p in Permission if p is not needed][:3]
    weak = issue_key(admin.tenant_id, others)

    result = _call(client, method, path, weak)

    assert expect.problem(result, 403, "permission-denied")["permission"] == needed.value


@pytest.mark.parametrize(("method", "path", "needed", "feature"), OPERATIONS)
def test_a_key_with_exactly_the_routes_permission_is_let_through(
    client: TestClient,
    admin: Caller,
    issue_key: IssueKey,
    method: str,
    path: str,
    needed: Permission | None,
    feature: Feature | None,
) -> None:
    key = issue_key(admin.tenant_id, [needed.value] if needed else [])

    result = _call(client, method, path, key)

    # Past authorization the request may still be refused (no such id, an empty body).
    assert result.status_code not in (401, 403), result.text


# Each route needs the REST API, and some a feature of their own as well.
FEATURES_NEEDED = [
    (method, path, needs)
    for method, path, _, feature in OPERATIONS
    for needs in ([Feature.REST_API] + ([feature] if feature is not None else []))
]


@pytest.mark.parametrize(("method", "path", "feature"), FEATURES_NEEDED)
def test_a_tenant_without_a_feature_the_route_needs_gets_403_feature_disabled(
    client: TestClient, make_tenant: MakeTenant, method: str, path: str, feature: Feature
) -> None:
    caller = make_tenant(features=[f for f in Feature if f is not feature])

    result = _call(client, method, path, caller)

    assert expect.problem(result, 403, "feature-disabled")["feature"] == feature.value


def test_a_denied_command_changes_nothing(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    reader = issue_key(admin.tenant_id, ["tenant:read"])

    client.simulate_post(f"/v1/api-keys/{admin.key_id}/revoke", headers=reader.headers)

    expect.ok(client.simulate_get("/v1/tenant", headers=admin.headers))


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
