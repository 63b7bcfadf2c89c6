"""A real container on SQLite in tmp_path, its Falcon app, tenants and keys to call it with."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from falcon.testing import TestClient

from adapters.settings import Settings
from domain.platform.features import Feature
from domain.platform.tiers import Tier
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

ADMIN = ("ADMIN",)


@dataclass(frozen=True)
class Caller:
    """One API key of one tenant, with the secret it authenticates with."""

    tenant_id: UUID
    key_id: UUID
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


class FakeClock:
    """The platform's clock, moved by the test instead of by time."""

    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


MakeTenant = Callable[..., Caller]
IssueKey = Callable[..., Caller]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Overridden by test modules that need other limits."""
    return Settings(data_dir=tmp_path / "var", demo_tenant=False, read_wait_seconds=0.2)


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build(settings)
    # One fixed rate window, so a test never straddles two windows.
    built.rate_limiter.clock = lambda: 1_000_020.0
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> TestClient:
    return TestClient(create_app(container))


@pytest.fixture
def clock(container: Container) -> FakeClock:
    fake = FakeClock()
    container.platform.clock = fake
    return fake


@pytest.fixture
def issue_key(container: Container) -> IssueKey:
    """Issues a key straight through the application (no HTTP) and projects it."""

    def issue(
        tenant_id: UUID,
        permissions: Sequence[str] = ADMIN,
        tier: Tier = Tier.STANDARD,
        expires_at: datetime | None = None,
        name: str = "test key",
    ) -> Caller:
        issued = container.platform.issue_api_key(
            tenant_id, name, list(permissions), tier.value, expires_at
        )
        container.catch_up()
        return Caller(tenant_id, issued.ack.aggregate_id, issued.secret)

    return issue


@pytest.fixture
def make_tenant(container: Container, issue_key: IssueKey) -> MakeTenant:
    """A new tenant with every feature on and one key, both already projected."""

    def make(
        name: str = "Acme Events",
        permissions: Sequence[str] = ADMIN,
        tier: Tier = Tier.STANDARD,
        features: Sequence[Feature] = tuple(Feature),
    ) -> Caller:
        tenant = container.platform.create_tenant(name, features)
        return issue_key(tenant.aggregate_id, permissions, tier)

    return make


@pytest.fixture
def admin(make_tenant: MakeTenant) -> Caller:
    """An ADMIN key of the tenant under test."""
    return make_tenant()


@pytest.fixture
def outsider(make_tenant: MakeTenant) -> Caller:
    """An ADMIN key of a second, unrelated tenant."""
    return make_tenant("Rival Conferences")
