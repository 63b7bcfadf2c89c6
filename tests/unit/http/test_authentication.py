"""Who is calling: a bearer API key, or a 401 problem with WWW-Authenticate."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from falcon.testing import Result, TestClient

from domain.platform import key_secret
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, FakeClock, IssueKey


def unauthenticated(result: Result) -> None:
    expect.problem(result, 401, "unauthenticated")
    assert result.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_bearer_key_is_accepted(client: TestClient, admin: Caller) -> None:
    expect.ok(client.simulate_get("/v1/tenant", headers=admin.headers))


def test_the_bearer_scheme_is_case_insensitive(client: TestClient, admin: Caller) -> None:
    headers = {"Authorization": f"bearer {admin.secret}"}

    expect.ok(client.simulate_get("/v1/tenant", headers=headers))


def test_no_authorization_header_is_a_401(client: TestClient, admin: Caller) -> None:
    unauthenticated(client.simulate_get("/v1/tenant"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer acc_garbled",
        "Bearer not-even-close",
        "Token {secret}",
        "Bearer {secret}x",
        "Bearer {flipped}",
    ],
)
def test_a_missing_or_garbled_secret_is_a_401(
    client: TestClient, admin: Caller, header: str
) -> None:
    flipped = admin.secret[:-8] + ("A" if admin.secret[-8] != "A" else "B") + admin.secret[-7:]
    value = header.format(secret=admin.secret, flipped=flipped)

    unauthenticated(client.simulate_get("/v1/tenant", headers={"Authorization": value}))


def test_a_well_formed_secret_of_an_unknown_key_is_a_401(client: TestClient, admin: Caller) -> None:
    forged = key_secret.generate(uuid4())

    unauthenticated(
        client.simulate_get("/v1/tenant", headers={"Authorization": f"Bearer {forged}"})
    )


def test_a_new_secret_for_a_real_key_id_is_a_401(client: TestClient, admin: Caller) -> None:
    guessed = key_secret.generate(admin.key_id)

    unauthenticated(
        client.simulate_get("/v1/tenant", headers={"Authorization": f"Bearer {guessed}"})
    )


def test_a_revoked_key_is_a_401(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    key = issue_key(admin.tenant_id)
    container.platform.revoke_api_key(admin.tenant_id, key.key_id)

    unauthenticated(client.simulate_get("/v1/tenant", headers=key.headers))


def test_a_key_that_revokes_itself_stops_working(client: TestClient, admin: Caller) -> None:
    expect.ok(client.simulate_post(f"/v1/api-keys/{admin.key_id}/revoke", headers=admin.headers))

    unauthenticated(client.simulate_get("/v1/tenant", headers=admin.headers))


def test_a_key_works_until_it_expires_and_is_a_401_after(
    client: TestClient, admin: Caller, issue_key: IssueKey, clock: FakeClock
) -> None:
    key = issue_key(admin.tenant_id, expires_at=clock.now + timedelta(hours=1))

    clock.advance(minutes=59)
    expect.ok(client.simulate_get("/v1/tenant", headers=key.headers))
    clock.advance(minutes=1)
    unauthenticated(client.simulate_get("/v1/tenant", headers=key.headers))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/tenant"),
        ("PATCH", "/v1/tenant"),
        ("GET", "/v1/api-keys"),
        ("POST", "/v1/api-keys"),
        ("GET", "/v1/api-keys/{key}"),
        ("POST", "/v1/api-keys/{key}/rotate"),
        ("POST", "/v1/api-keys/{key}/revoke"),
    ],
)
def test_every_api_route_needs_a_key(
    client: TestClient, admin: Caller, method: str, path: str
) -> None:
    unauthenticated(client.simulate_request(method, path.format(key=admin.key_id)))


def test_public_routes_need_no_key(client: TestClient) -> None:
    public = ("/health", "/ready", "/docs", "/docs/assets/docs.js", "/v1/openapi.json")
    for path in (*public, "/problems/not-found"):
        assert client.simulate_get(path).status_code == 200, path


def test_every_answer_carries_a_request_id_and_echoes_the_callers(
    client: TestClient, admin: Caller
) -> None:
    echoed = client.simulate_get("/v1/tenant", headers={**admin.headers, "X-Request-Id": "abc-1"})
    made = client.simulate_get("/v1/tenant")

    assert echoed.headers["X-Request-Id"] == "abc-1"
    assert len(made.headers["X-Request-Id"]) == 32
