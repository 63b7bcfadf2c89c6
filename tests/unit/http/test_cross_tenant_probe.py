"""Every route that names a resource, tried by another tenant's ADMIN key: 404, and no effect.

The routes come from the OpenAPI document, so a route added later is probed too;
each method is sent with the document's own example body and `If-Match: *`, the
strongest a caller could send. Nothing may answer 2xx, and no domain event may be
recorded in any application's log.
"""

from __future__ import annotations

from typing import Any

from falcon.testing import TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller
from tests.unit.http.test_openapi_document import operations
from tests.unit.http.world import one_of_everything

# Path parameters that name no tenant's resource (the reference's pages and assets).
PUBLIC_PARAMETERS = {"slug", "name"}


def example_body(op: dict[str, Any]) -> Any:
    content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    return content.get("example")


def log_heads(container: Container) -> dict[str, int]:
    return {
        name: app.recorder.max_notification_id() or 0
        for name, app in container.applications.items()
    }


def test_another_tenant_reaches_none_of_a_tenants_resources_by_any_route(
    client: TestClient, container: Container, admin: Caller, outsider: Caller
) -> None:
    ids = one_of_everything(client, container, admin)
    document = expect.ok(client.simulate_get("/v1/openapi.json"))
    before = log_heads(container)
    answered: dict[str, int] = {}

    for path, method, op in operations(document):
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        if not names or names <= PUBLIC_PARAMETERS:
            continue
        result = client.simulate_request(
            method.upper(),
            path.format(**ids),
            json=example_body(op),
            headers={**outsider.headers, "If-Match": "*"},
        )
        answered[f"{method.upper()} {path}"] = result.status_code
        assert not 200 <= result.status_code < 300, f"{method} {path}: {result.text}"
        assert result.headers["Content-Type"] == "application/problem+json", path

    assert log_heads(container) == before
    # Reads and commands alike answer as if the resource did not exist.
    assert set(answered.values()) == {404}, answered
    assert len(answered) > 30, sorted(answered)  # every resource route, each method
    # The owner's code, not yet taken, is still there for the owner alone.
    taken = client.simulate_post(
        f"/v1/participants/{ids['participant_id']}/credential/code", headers=admin.headers
    )
    assert expect.ok(taken)["badge_code"]
