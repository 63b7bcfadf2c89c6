"""An address that keeps failing to authenticate is refused before its secrets are looked up."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest
from falcon.testing import Result, TestClient

from adapters.settings import Settings
from domain.platform import key_secret
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.event_store_reads import EventStoreReads
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey

BUDGET = 3
ATTACKER, NEIGHBOUR = "203.0.113.7", "198.51.100.20"
WINDOW_START = 1_000_020.0  # a multiple of 60: a window starts here


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Remembered principals stay fresh for the whole test, whatever its pace.
    return Settings(
        data_dir=tmp_path / "var",
        demo_tenant=False,
        auth_failures_per_minute=BUDGET,
        auth_cache_seconds=3600,
    )


@pytest.fixture
def window(container: Container) -> list[float]:
    """The failure budget's clock, fixed in one window unless a test moves it."""
    now = [WINDOW_START + 5]
    assert container.auth_failures is not None
    container.auth_failures.limiter.clock = lambda: now[0]
    return now


@pytest.fixture
def reads(container: Container, monkeypatch: pytest.MonkeyPatch) -> EventStoreReads:
    return EventStoreReads(container.platform, monkeypatch)


def forged() -> str:
    """A secret anyone can make: a valid checksum over a key id that opens nothing."""
    return key_secret.generate(uuid4())


def get(client: TestClient, secret: str, address: str) -> Result:
    return client.simulate_get(
        "/v1/tenant", headers={"Authorization": f"Bearer {secret}"}, remote_addr=address
    )


def spend_the_budget(client: TestClient, address: str = ATTACKER) -> None:
    for _ in range(BUDGET):
        expect.problem(get(client, forged(), address), 401, "unauthenticated")


def test_a_forged_secret_costs_a_lookup_until_its_address_has_spent_its_budget(
    client: TestClient, window: list[float], reads: EventStoreReads
) -> None:
    for _ in range(BUDGET):
        expect.problem(get(client, forged(), ATTACKER), 401, "unauthenticated")
        assert reads.taken() > 0

    refused = get(client, forged(), ATTACKER)

    expect.problem(refused, 429, "rate-limited")
    assert reads.taken() == 0
    assert refused.headers["Retry-After"] == "55"
    assert refused.headers["RateLimit-Limit"] == str(BUDGET)
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit-Policy"] == f"{BUDGET};w=60"


def test_a_spent_address_is_refused_without_a_lookup_whatever_secret_it_sends(
    client: TestClient, window: list[float], reads: EventStoreReads, admin: Caller
) -> None:
    spend_the_budget(client)
    reads.taken()

    for secret in (forged(), key_secret.generate(admin.key_id), admin.secret):
        expect.problem(get(client, secret, ATTACKER), 429, "rate-limited")

    assert reads.taken() == 0


def test_a_key_from_another_address_still_works(
    client: TestClient, window: list[float], admin: Caller
) -> None:
    spend_the_budget(client)

    expect.ok(get(client, admin.secret, NEIGHBOUR))
    expect.problem(get(client, forged(), NEIGHBOUR), 401, "unauthenticated")


def test_a_key_this_process_checked_lately_works_even_from_a_spent_address(
    client: TestClient, window: list[float], admin: Caller, reads: EventStoreReads
) -> None:
    expect.ok(get(client, admin.secret, ATTACKER))
    spend_the_budget(client)
    reads.taken()

    expect.ok(get(client, admin.secret, ATTACKER))
    assert reads.taken() == 0


def test_a_secret_that_opened_its_key_here_is_looked_up_even_from_a_spent_address(
    client: TestClient, container: Container, window: list[float], admin: Caller
) -> None:
    expect.ok(get(client, admin.secret, ATTACKER))
    spend_the_budget(client)
    # No longer remembered (its freshness ran out): it costs a lookup, which it may.
    container.platform.forget_principals(admin.key_id)

    expect.ok(get(client, admin.secret, ATTACKER))
    client.simulate_post(f"/v1/api-keys/{admin.key_id}/revoke", headers=admin.headers)
    expect.problem(get(client, admin.secret, ATTACKER), 401, "unauthenticated")
    expect.problem(get(client, admin.secret, ATTACKER), 429, "rate-limited")


def test_a_malformed_secret_is_refused_at_no_cost_and_spends_nothing(
    client: TestClient, window: list[float], reads: EventStoreReads, admin: Caller
) -> None:
    mistyped = admin.secret[:-1] + ("A" if admin.secret[-1] != "A" else "B")
    reads.taken()
    for secret in ("not-a-key", "acc_" + "x" * 60, mistyped) * BUDGET:
        expect.problem(get(client, secret, ATTACKER), 401, "unauthenticated")

    assert reads.taken() == 0
    expect.problem(get(client, forged(), ATTACKER), 401, "unauthenticated")


def test_the_budget_is_whole_again_in_the_next_minute(
    client: TestClient, window: list[float], issue_key: IssueKey, admin: Caller
) -> None:
    spend_the_budget(client)
    fresh = issue_key(admin.tenant_id)
    expect.problem(get(client, fresh.secret, ATTACKER), 429, "rate-limited")

    window[0] += 60

    expect.ok(get(client, fresh.secret, ATTACKER))
    expect.problem(get(client, forged(), ATTACKER), 401, "unauthenticated")


def test_with_the_budget_off_failures_cost_lookups_and_are_never_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "off", demo_tenant=False, auth_failures_per_minute=None)
    with build(settings) as container:
        client = TestClient(create_app(container))
        reads = EventStoreReads(container.platform, monkeypatch)

        for _ in range(BUDGET * 3):
            expect.problem(get(client, forged(), ATTACKER), 401, "unauthenticated")
            assert reads.taken() > 0

        assert container.auth_failures is None
