"""A database that cannot be reached is a 503 to retry, not a 500; the service recovers after."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from falcon.testing import Result, TestClient

from adapters.settings import Settings
from domain.platform.features import Feature
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.integration.tcp_proxy import TcpProxy
from tests.unit.http import expect


@pytest.fixture
def proxy(pg_url: str) -> Iterator[tuple[TcpProxy, str]]:
    parts = urlsplit(pg_url)
    tcp = TcpProxy(parts.port or 5432)
    yield tcp, parts._replace(netloc=f"{parts.username}@127.0.0.1:{tcp.port}").geturl()
    tcp.close()


@pytest.fixture
def container(proxy: tuple[TcpProxy, str], tmp_path: Path) -> Iterator[Container]:
    _, url = proxy
    # Every request checks its key in the event store: nothing is served from memory.
    settings = Settings(
        database_url=url, data_dir=tmp_path / "var", demo_tenant=False, auth_cache_seconds=0
    )
    built = build(settings)
    yield built
    built.close()


# A load balancer polls readiness. A reconnect the pool began during the outage may
# still be waiting out its back-off when the database returns, so the first probe
# may still say 503; one of the next few answers 200.
READINESS_PROBES = 5
PROBE_INTERVAL_SECONDS = 1.0


def _ready_again(client: TestClient) -> Result:
    for _ in range(READINESS_PROBES - 1):
        result = client.simulate_get("/ready")
        if result.status_code == 200:
            return result
        time.sleep(PROBE_INTERVAL_SECONDS)
    return client.simulate_get("/ready")


def test_requests_during_an_outage_answer_503_with_retry_after_and_recover(
    proxy: tuple[TcpProxy, str], container: Container
) -> None:
    tcp, _ = proxy
    tenant = container.platform.create_tenant("Acme", tuple(Feature)).aggregate_id
    secret = container.platform.issue_api_key(tenant, "admin", ["ADMIN"]).secret
    container.catch_up()
    client = TestClient(create_app(container))
    headers = {"Authorization": f"Bearer {secret}"}
    expect.ok(client.simulate_get("/v1/tenant", headers=headers))

    tcp.cut()
    during = [
        client.simulate_post(
            "/v1/api-keys", json={"name": "k", "permissions": ["tenant:read"]}, headers=headers
        ),
        client.simulate_get("/ready"),
    ]
    tcp.restore()
    ready = _ready_again(client)
    after = client.simulate_get("/v1/tenant", headers=headers)

    for result in during:
        body = expect.problem(result, 503, "service-unavailable")
        assert int(result.headers["Retry-After"]) > 0, body
    assert expect.ok(ready)["status"] == "ok"
    assert expect.ok(after)["name"] == "Acme"
