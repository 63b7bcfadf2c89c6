"""GET /metrics: requests by route template, rate-limit refusals, projection lag, conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from falcon.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from adapters.settings import Settings
from domain.platform.tiers import Tier
from domain.shared.application import CONFLICT_ATTEMPTS
from entrypoints.wiring.container import Container
from tests.unit.domain.test_platform_application import MeddlingClock
from tests.unit.http.conftest import Caller, IssueKey

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        demo_tenant=False,
        rate_limits={Tier.FREE: 2, Tier.STANDARD: 100, Tier.PREMIUM: 1000, Tier.UNLIMITED: None},
    )


def scrape(client: TestClient) -> Samples:
    result = client.simulate_get("/metrics")
    assert result.status_code == 200
    assert result.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(result.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_method_and_status(
    client: TestClient, admin: Caller, outsider: Caller
) -> None:
    for key_id in (admin.key_id, admin.key_id, outsider.key_id):
        client.simulate_get(f"/v1/api-keys/{key_id}", headers=admin.headers)
    client.simulate_get("/no/such/route")

    samples = scrape(client)

    count = "accredit_http_request_duration_seconds_count"
    route = "/v1/api-keys/{key_id}"
    assert value(samples, count, method="GET", route=route, status="200") == 2
    assert value(samples, count, method="GET", route=route, status="404") == 1
    assert value(samples, count, method="GET", route="(unmatched)", status="404") == 1
    buckets = "accredit_http_request_duration_seconds_bucket"
    assert value(samples, buckets, method="GET", route=route, status="200", le="+Inf") == 2
    assert (
        value(
            samples,
            "accredit_http_request_duration_seconds_sum",
            method="GET",
            route=route,
            status="200",
        )
        > 0
    )


def test_metrics_need_no_key(client: TestClient) -> None:
    assert (
        client.simulate_get("/metrics", headers={"Authorization": "Bearer nonsense"}).status_code
        == 200
    )


def test_rate_limit_refusals_are_counted_by_tier(
    client: TestClient, admin: Caller, issue_key: IssueKey
) -> None:
    free = issue_key(admin.tenant_id, tier=Tier.FREE)
    statuses = [
        client.simulate_get("/v1/tenant", headers=free.headers).status_code for _ in range(5)
    ]

    assert statuses == [200, 200, 429, 429, 429]
    assert value(scrape(client), "accredit_rate_limit_refusals_total", tier="FREE") == 3


def test_projection_lag_is_read_at_scrape_time_per_projection_and_upstream(
    client: TestClient, container: Container, admin: Caller
) -> None:
    assert (
        value(
            scrape(client),
            "accredit_projection_lag_events",
            projection="platform",
            upstream="platform",
        )
        == 0
    )

    container.platform.create_tenant("Not yet projected")
    behind = scrape(client)
    container.catch_up()
    caught_up = scrape(client)

    labels = {"projection": "platform", "upstream": "platform"}
    assert value(behind, "accredit_projection_lag_events", **labels) == 1
    assert value(behind, "accredit_projection_lag_seconds", **labels) >= 0
    assert value(behind, "accredit_projection_status_up") == 1
    assert value(caught_up, "accredit_projection_lag_events", **labels) == 0
    assert value(caught_up, "accredit_projection_rebuilding", projection="platform") == 0


def test_commands_retried_and_refused_on_concurrent_writes_are_counted(
    client: TestClient, container: Container, issue_key: IssueKey, admin: Caller
) -> None:
    target = issue_key(admin.tenant_id, name="contested")
    # A concurrent writer rotates the key first every time the command runs (and, harmlessly,
    # whenever else the clock is read): the command loses every race and is refused.
    meddler = MeddlingClock(times=3 * CONFLICT_ATTEMPTS)
    meddler.app, meddler.key = container.platform, (admin.tenant_id, target.key_id)
    container.platform.clock = meddler

    rotated = client.simulate_post(
        f"/v1/api-keys/{target.key_id}/rotate", json={}, headers=admin.headers
    )

    assert rotated.status_code == 409, rotated.text
    samples = scrape(client)
    labels = {"application": "platform", "command": "rotate_api_key"}
    assert value(samples, "accredit_command_conflict_retries_total", **labels) == (
        CONFLICT_ATTEMPTS - 1
    )
    assert value(samples, "accredit_command_conflicts_refused_total", **labels) == 1
