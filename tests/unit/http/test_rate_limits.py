"""Rate limits per key tier: 429 with Retry-After and RateLimit headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from falcon.testing import TestClient

from adapters.settings import Settings
from domain.platform.tiers import Tier
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey

RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        demo_tenant=False,
        rate_limits={Tier.FREE: 3, Tier.STANDARD: 100, Tier.PREMIUM: 1000, Tier.UNLIMITED: None},
        rate_window_seconds=60,
    )


@pytest.fixture
def free(admin: Caller, issue_key: IssueKey) -> Caller:
    return issue_key(admin.tenant_id, tier=Tier.FREE)


def test_each_answer_within_the_quota_says_what_is_left(client: TestClient, free: Caller) -> None:
    answers = [client.simulate_get("/v1/tenant", headers=free.headers) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert answers[0].headers["RateLimit-Policy"] == "3;w=60"
    assert 1 <= int(answers[0].headers["RateLimit-Reset"]) <= 60


def test_the_request_over_the_quota_is_a_429_with_retry_after(
    client: TestClient, free: Caller
) -> None:
    for _ in range(3):
        client.simulate_get("/v1/tenant", headers=free.headers)

    result = client.simulate_get("/v1/tenant", headers=free.headers)

    expect.problem(result, 429, "rate-limited")
    assert 1 <= int(result.headers["Retry-After"]) <= 60
    assert result.headers["RateLimit-Remaining"] == "0"
    assert all(name in result.headers for name in RATE_HEADERS)


def test_a_refused_command_has_no_effect(
    client: TestClient, container: Container, free: Caller, admin: Caller
) -> None:
    for _ in range(3):
        client.simulate_get("/v1/tenant", headers=free.headers)

    result = client.simulate_patch("/v1/tenant", json={"name": "Renamed"}, headers=free.headers)

    assert result.status_code == 429
    container.catch_up()
    tenant = client.simulate_get("/v1/tenant", headers=admin.headers)
    assert tenant.json["name"] == "Acme Events"


def test_the_next_window_allows_requests_again(
    client: TestClient, container: Container, free: Caller
) -> None:
    for _ in range(4):
        client.simulate_get("/v1/tenant", headers=free.headers)

    container.rate_limiter.clock = lambda: 1_000_020.0 + 60

    assert client.simulate_get("/v1/tenant", headers=free.headers).status_code == 200


def test_each_key_has_its_own_quota(client: TestClient, free: Caller, issue_key: IssueKey) -> None:
    other = issue_key(free.tenant_id, tier=Tier.FREE)
    for _ in range(4):
        client.simulate_get("/v1/tenant", headers=free.headers)

    assert client.simulate_get("/v1/tenant", headers=other.headers).status_code == 200


def test_an_unlimited_key_has_no_limit_and_no_limit_headers(
    client: TestClient, admin: Caller, issue_key: IssueKey
) -> None:
    unlimited = issue_key(admin.tenant_id, tier=Tier.UNLIMITED)

    answers = [client.simulate_get("/v1/tenant", headers=unlimited.headers) for _ in range(10)]

    assert {a.status_code for a in answers} == {200}
    assert not any(name in a.headers for a in answers for name in RATE_HEADERS)


def test_unauthenticated_and_public_requests_are_not_counted(
    client: TestClient, free: Caller
) -> None:
    for _ in range(5):
        client.simulate_get("/health")
        client.simulate_get("/v1/tenant")

    assert client.simulate_get("/v1/tenant", headers=free.headers).status_code == 200
