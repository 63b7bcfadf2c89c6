"""Every route that names a resource, tried by another tenant's ADMIN key: 404, and no effect.

The routes come from the OpenAPI document, so a route added later is probed too;
each method is sent with the document's own example body and `If-Match: *`, the
strongest a caller could send. Nothing may answer 2xx, and no domain event may be
recorded in any application's log.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from falcon.testing import TestClient

from domain.screening.pair_review import pair_id
from entrypoints.wiring.container import Container
from entrypoints.workers.credentials import credential_policy
from tests.unit.http import expect
from tests.unit.http.conftest import Caller
from tests.unit.http.test_openapi_document import operations

# Path parameters that name no tenant's resource (the reference's pages and assets).
PUBLIC_PARAMETERS = {"slug", "name"}


def owned_world(client: TestClient, container: Container, owner: Caller) -> dict[str, str]:
    """One resource of every kind, the owner's: the ids the probe aims at."""
    event = expect.ok(
        client.simulate_post(
            "/v1/events",
            json={
                "name": "Expo 2030",
                "starts_at": "2030-06-01T09:00:00+02:00",
                "ends_at": "2030-06-03T18:00:00+02:00",
                "time_zone": "Europe/Paris",
            },
            headers=owner.headers,
        ),
        201,
    )
    events = f"/v1/events/{event['id']}"
    client.simulate_post(f"{events}/open-registration", headers=owner.headers)
    participant = expect.ok(
        client.simulate_post(
            f"{events}/participants",
            json={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"},
            headers=owner.headers,
        ),
        201,
    )
    client.simulate_post(
        f"/v1/participants/{participant['id']}/steps/approval/complete",
        json={"outcome": "approved"},
        headers=owner.headers,
    )
    credential_policy(container).catch_up()
    # The same person again, with another address: a duplicate candidate of the owner's.
    again = expect.ok(
        client.simulate_post(
            f"{events}/participants",
            json={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
            headers=owner.headers,
        ),
        201,
    )
    zone = expect.ok(
        client.simulate_post(
            f"{events}/zones", json={"code": "hall", "name": "Hall"}, headers=owner.headers
        ),
        201,
    )
    checkpoint = expect.ok(
        client.simulate_post(
            f"{events}/checkpoints",
            json={"name": "Gate", "direction": "ENTRY", "zone_id": zone["id"]},
            headers=owner.headers,
        ),
        201,
    )
    second = expect.ok(
        client.simulate_post(
            f"{events}/participants",
            json={"first_name": "Ada", "last_name": "Lovelace", "email": "ada.l@example.org"},
            headers=owner.headers,
        ),
        201,
    )
    merge = expect.ok(
        client.simulate_post(
            f"/v1/participants/{participant['id']}/merge",
            json={"absorbed_id": second["id"]},
            headers=owner.headers,
        ),
        201,
    )
    entry = expect.ok(
        client.simulate_post(
            "/v1/blacklist",
            json={"document_number": "X1234567", "reason": "fraud"},
            headers=owner.headers,
        ),
        201,
    )
    container.catch_up()
    return {
        "merge_id": merge["id"],
        "key_id": str(owner.key_id),
        "entry_id": entry["id"],
        "event_id": event["id"],
        "participant_id": participant["id"],
        "aggregate_id": participant["id"],
        "zone_id": zone["id"],
        "checkpoint_id": checkpoint["id"],
        "step_id": "approval",
        "pair_id": str(pair_id(UUID(participant["id"]), UUID(again["id"]))),
    }


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
    ids = owned_world(client, container, admin)
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
