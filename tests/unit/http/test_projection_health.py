"""GET /health/projections: each projection's version and lag, for monitoring, without a key."""

from __future__ import annotations

from falcon.testing import TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect


def platform_lag(client: TestClient) -> dict[str, object]:
    body = expect.ok(client.simulate_get("/health/projections"))
    (platform,) = [p for p in body["projections"] if p["name"] == "platform"]
    return platform  # type: ignore[no-any-return]


def test_projection_lag_answers_without_a_key_with_versions_positions_and_lag(
    client: TestClient, container: Container
) -> None:
    container.platform.create_tenant("Acme")
    container.platform.create_tenant("Zeta")

    behind = platform_lag(client)
    container.catch_up()
    caught_up = platform_lag(client)

    head = container.platform.recorder.max_notification_id()
    assert behind["version"] == 1
    assert behind["lag_events"] == head
    assert isinstance(behind["lag_seconds"], float)
    assert behind["upstreams"] == [
        {
            "upstream": "platform",
            "position": 0,
            "head": head,
            "lag_events": head,
            "lag_seconds": behind["lag_seconds"],
            "rebuilt": None,
        }
    ]
    assert (behind["state"], behind["rebuild"], behind["leaders"]) == ("current", None, [])
    assert caught_up["stored_version"] == 1
    assert (caught_up["lag_events"], caught_up["lag_seconds"]) == (0, 0.0)
    assert "Acme" not in str(caught_up)
