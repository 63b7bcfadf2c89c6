"""One resource of every kind a tenant can own, for the tests that walk every route."""

from __future__ import annotations

from uuid import UUID

from falcon.testing import TestClient

from domain.screening.pair_review import pair_id
from entrypoints.wiring.container import Container
from entrypoints.workers.credentials import credential_policy
from tests.unit.http import expect
from tests.unit.http.conftest import Caller


def one_of_everything(client: TestClient, container: Container, owner: Caller) -> dict[str, str]:
    """One resource of every kind, the owner's, caught up: the ids of each, by path parameter."""
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
    # Staff put the duplicate on the waitlist (an event without a limit keeps one too).
    waiting = expect.ok(
        client.simulate_post(
            f"{events}/waitlist", json={"participant_ids": [again["id"]]}, headers=owner.headers
        ),
        201,
    )
    operation = expect.ok(
        client.simulate_post(
            f"{events}/bulk-operations",
            json={
                "kind": "set-field",
                "params": {"field": "organisation", "value": "Acme"},
                "selection": {"participant_ids": [participant["id"]]},
            },
            headers=owner.headers,
        ),
        202,
    )
    container.catch_up()
    return {
        "operation_id": operation["id"],
        "waitlist_entry_id": waiting["id"],
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
