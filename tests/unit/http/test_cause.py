"""Every domain event a request records names the API key and the request behind it."""

from __future__ import annotations

from falcon.testing import TestClient

from domain.shared.cause import meta_of
from entrypoints.wiring.container import Container
from tests.unit.http.conftest import Caller


def last_meta(container: Container) -> dict[str, object]:
    platform = container.platform
    last = platform.recorder.max_notification_id()
    assert last is not None
    (notification,) = platform.recorder.select_notifications(start=last, limit=1)
    return meta_of(platform.mapper.to_domain_event(notification))


def test_a_command_records_its_key_request_and_correlation_ids(
    client: TestClient, container: Container, admin: Caller
) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        json={"name": "gate", "permissions": ["check-in:scan"]},
        headers={**admin.headers, "X-Request-Id": "req-42", "X-Correlation-Id": "onboarding-7"},
    )

    assert result.status_code == 201
    assert result.headers["x-correlation-id"] == "onboarding-7"
    assert last_meta(container) == {
        "actor": f"api-key:{admin.key_id}",
        "correlation_id": "onboarding-7",
        "causation_id": "req-42",
        "tenant_id": str(admin.tenant_id),
    }


def test_without_a_correlation_id_the_request_id_ties_the_changes_together(
    client: TestClient, container: Container, admin: Caller
) -> None:
    result = client.simulate_patch(
        "/v1/tenant", json={"name": "Renamed"}, headers={**admin.headers, "X-Request-Id": "r-9"}
    )

    assert result.status_code == 200
    meta = last_meta(container)
    assert meta["correlation_id"] == "r-9"
    assert meta["causation_id"] == "r-9"
