"""The failed-authentication budget: one per address, shared by every worker on one database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from uuid import uuid4

import pytest
from falcon.testing import Result, TestClient
from sqlalchemy import Engine

from adapters.service.auth_failures import FailedAuthentications
from adapters.service.ratelimit import SqlRateLimiter
from adapters.settings import Settings
from domain.platform import key_secret
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.event_store_reads import EventStoreReads

BUDGET = 2
NOW = 1_700_000_085.0  # 45 s into a window (1_700_000_040 is a multiple of 60)


def failures(engine: Engine) -> FailedAuthentications:
    return FailedAuthentications(SqlRateLimiter(engine, 60, lambda: NOW), BUDGET)


@pytest.mark.parametrize(
    ("one", "other", "shared"),
    [
        ("203.0.113.7", "203.0.113.8", False),
        ("203.0.113.7", "::ffff:203.0.113.7", True),
        ("2001:db8:1:2::7", "2001:db8:1:2:ffff::8", True),
        ("2001:db8:1:2::7", "2001:db8:1:3::7", False),
    ],
)
def test_an_ipv4_address_has_a_budget_of_its_own_and_an_ipv6_one_shares_its_64(
    engine: Engine, one: str, other: str, shared: bool
) -> None:
    budget = failures(engine)

    for _ in range(BUDGET):
        budget.count(one)

    assert budget.refusal(one) is not None
    assert (budget.refusal(other) is not None) is shared


def test_a_refusal_says_when_the_window_ends(engine: Engine) -> None:
    budget = failures(engine)
    for _ in range(BUDGET):
        assert budget.refusal("203.0.113.7") is None
        budget.count("203.0.113.7")

    refusal = budget.refusal("203.0.113.7")

    assert refusal is not None
    assert (refusal.limit, refusal.remaining, refusal.reset_seconds) == (BUDGET, 0, 15)


@pytest.fixture
def two_workers(pg_settings: Settings) -> Iterator[tuple[Container, Container]]:
    """Two containers on one PostgreSQL database, as two gunicorn workers have."""
    settings = replace(pg_settings, auth_failures_per_minute=BUDGET, auth_cache_seconds=0)
    with build(settings) as one, build(settings) as other:
        for container in (one, other):
            assert container.auth_failures is not None
            container.auth_failures.limiter.clock = lambda: NOW
        yield one, other


def get(client: TestClient, secret: str, address: str) -> Result:
    return client.simulate_get(
        "/v1/tenant", headers={"Authorization": f"Bearer {secret}"}, remote_addr=address
    )


def test_a_budget_spent_through_one_worker_refuses_through_another_without_a_lookup(
    two_workers: tuple[Container, Container], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = two_workers
    tenant = one.platform.create_tenant("Expo").aggregate_id
    issued = one.platform.issue_api_key(tenant, "gate", ["tenant:read"])
    one.catch_up()
    first, second = TestClient(create_app(one)), TestClient(create_app(other))
    reads = EventStoreReads(other.platform, monkeypatch)
    for _ in range(BUDGET):
        assert get(first, key_secret.generate(uuid4()), "203.0.113.7").status_code == 401

    refused = get(second, key_secret.generate(uuid4()), "203.0.113.7")

    assert refused.status_code == 429
    assert refused.json["type"] == "/problems/rate-limited"
    assert refused.headers["Retry-After"] == "15"
    assert reads.taken() == 0
    assert get(second, issued.secret, "198.51.100.20").status_code == 200
    assert reads.taken() > 0
