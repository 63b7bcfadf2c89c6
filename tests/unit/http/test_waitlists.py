"""Waitlists over HTTP: a full event queues its registrants, a freed seat is offered on."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from falcon.testing import Result, TestClient

from adapters.waitlists.queries import WaitlistQueries
from domain.platform.features import Feature
from domain.waitlists.application import WaitlistedRegistration
from entrypoints.wiring.container import Container
from entrypoints.workers.waitlists import expire_due_offers
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, FakeClock, MakeTenant
from tests.unit.http.test_events import open_event, read
from tests.unit.http.test_participants import complete, registered


def full_event(client: TestClient, caller: Caller, capacity: int = 1) -> tuple[str, list[str]]:
    """An open event whose every seat is taken by an approved participant."""
    event_id: str = open_event(client, caller, capacity=capacity)["id"]
    holders = []
    for n in range(capacity):
        holder = registered(client, caller, event_id, email=f"holder{n}@example.org")["id"]
        expect.ok(complete(client, caller, holder, "approval"))
        holders.append(holder)
    return event_id, holders


def register(client: TestClient, caller: Caller, event_id: str, email: str) -> Result:
    return client.simulate_post(
        f"/v1/events/{event_id}/participants",
        json={"first_name": "Grace", "last_name": "Hopper", "email": email},
        headers=caller.headers,
    )


def waitlist(
    client: TestClient,
    container: Container,
    caller: Caller,
    event_id: str,
    after: Result,
    path: str = "",
) -> dict[str, Any]:
    body: dict[str, Any] = expect.ok(
        read(client, container, caller, f"/v1/events/{event_id}/waitlist{path}", after)
    )
    return body


def test_a_registration_for_a_full_event_waits_with_its_rank_readable(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, _ = full_event(client, admin)

    first = expect.ok(register(client, admin, event_id, "grace@example.org"), 201)
    answer = register(client, admin, event_id, "alan@example.org")
    second = expect.ok(answer, 201)

    assert (first["status"], second["status"]) == ("waitlisted", "waitlisted")
    assert first["active_steps"] == []
    entry_id = second["waitlist_entry_id"]
    entry = waitlist(client, container, admin, event_id, answer, f"/entries/{entry_id}")
    assert (entry["state"], entry["position"], entry["position_in_category"]) == ("waiting", 2, 2)
    assert entry["participant_ids"] == [second["id"]]
    page = waitlist(client, container, admin, event_id, answer)
    assert [i["participant_ids"] for i in page["items"]] == [[first["id"]], [second["id"]]]
    shown = expect.ok(read(client, container, admin, f"/v1/participants/{second['id']}", answer))
    assert (shown["status"], shown["waitlist_entry_id"]) == ("waitlisted", entry_id)
    refused = complete(client, admin, second["id"], "approval")
    assert expect.problem(refused, 409, "participant-waitlisted")


def test_without_the_waitlist_feature_a_full_event_refuses_with_event_full(
    client: TestClient, container: Container, make_tenant: MakeTenant
) -> None:
    caller = make_tenant("No waitlists", features=[f for f in Feature if f is not Feature.WAITLIST])
    event_id, _ = full_event(client, caller)

    refused = register(client, caller, event_id, "grace@example.org")

    problem = expect.problem(refused, 409, "conflict")
    assert problem["code"] == "event-full"
    listed = client.simulate_get(f"/v1/events/{event_id}/waitlist", headers=caller.headers)
    assert expect.problem(listed, 403, "feature-disabled")


def test_an_event_set_to_refuse_refuses_and_the_settings_honour_if_match(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, _ = full_event(client, admin)
    path = f"/v1/events/{event_id}/waitlist/settings"
    container.catch_up()
    defaults = client.simulate_get(path, headers=admin.headers)
    assert expect.ok(defaults) == {
        "event_id": event_id,
        "offer_window_seconds": 172800,
        "on_accept": "approve",
        "when_full": "waitlist",
        "version": 0,
    }
    expect.ok(register(client, admin, event_id, "grace@example.org"), 201)
    container.catch_up()
    read = client.simulate_get(path, headers=admin.headers)
    assert expect.ok(read)["version"] == 1
    body = {"offer_window_seconds": 3600, "on_accept": "approve", "when_full": "refuse"}
    stale = client.simulate_put(path, json=body, headers={**admin.headers, "If-Match": '"0"'})
    expect.problem(stale, 412, "precondition-failed")
    # Someone joins between the organiser's read and write: the settings did not change.
    expect.ok(register(client, admin, event_id, "alan@example.org"), 201)
    changed = client.simulate_put(
        path, json=body, headers={**admin.headers, "If-Match": read.headers["ETag"]}
    )
    assert expect.ok(changed)["when_full"] == "refuse"
    container.catch_up()
    again = client.simulate_get(path, headers=admin.headers)
    assert expect.ok(again) == expect.ok(changed)
    assert again.headers["ETag"] == changed.headers["ETag"] != read.headers["ETag"]
    refused = register(client, admin, event_id, "ada.two@example.org")
    assert expect.problem(refused, 409, "conflict")["code"] == "event-full"
    invalid = client.simulate_put(
        path, json={**body, "offer_window_seconds": 4}, headers=admin.headers
    )
    expect.problem(invalid, 422, "validation-failed")
    unknown = client.simulate_get(f"/v1/events/{uuid4()}/waitlist/settings", headers=admin.headers)
    expect.problem(unknown, 404, "not-found")


def test_a_withdrawal_offers_the_seat_to_the_next_entry_who_accepts_and_is_approved(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, holders = full_event(client, admin)
    grace = expect.ok(register(client, admin, event_id, "grace@example.org"), 201)
    alan = expect.ok(register(client, admin, event_id, "alan@example.org"), 201)

    freed = client.simulate_post(f"/v1/participants/{holders[0]}/withdraw", headers=admin.headers)
    expect.ok(freed)

    offers = waitlist(client, container, admin, event_id, freed, "/offers")
    assert [(o["participant_ids"], o["state"]) for o in offers["items"]] == [
        ([grace["id"]], "open")
    ]
    entry = waitlist(
        client, container, admin, event_id, freed, f"/entries/{grace['waitlist_entry_id']}"
    )
    assert entry["state"] == "offered"
    assert entry["offer"]["seats"] == 1
    rest = waitlist(
        client, container, admin, event_id, freed, f"/entries/{alan['waitlist_entry_id']}"
    )
    assert rest["position"] == 1
    accepted = client.simulate_post(
        f"/v1/events/{event_id}/waitlist/entries/{grace['waitlist_entry_id']}/accept",
        headers=admin.headers,
    )
    assert expect.ok(accepted)["state"] == "accepted"
    shown = expect.ok(read(client, container, admin, f"/v1/participants/{grace['id']}", accepted))
    assert (shown["status"], shown["waitlist_entry_id"]) == ("approved", None)
    history = waitlist(client, container, admin, event_id, accepted, "/promotions")
    outcomes = {tuple(p["participant_ids"]): p["outcome"] for p in history["items"]}
    assert outcomes == {(grace["id"],): "accepted", (alan["id"],): "waiting"}
    again = client.simulate_post(
        f"/v1/events/{event_id}/waitlist/entries/{grace['waitlist_entry_id']}/accept",
        headers=admin.headers,
    )
    expect.problem(again, 404, "not-found")


def test_an_offer_expires_on_time_and_the_seat_passes_on(
    client: TestClient, container: Container, admin: Caller, clock: FakeClock
) -> None:
    registration = container.app(WaitlistedRegistration)
    registration.clock = clock
    event_id, holders = full_event(client, admin)
    settings = {"offer_window_seconds": 600, "on_accept": "approve", "when_full": "waitlist"}
    expect.ok(
        client.simulate_put(
            f"/v1/events/{event_id}/waitlist/settings", json=settings, headers=admin.headers
        )
    )
    grace = expect.ok(register(client, admin, event_id, "grace@example.org"), 201)
    alan = expect.ok(register(client, admin, event_id, "alan@example.org"), 201)
    expect.ok(client.simulate_post(f"/v1/participants/{holders[0]}/cancel", headers=admin.headers))
    container.catch_up()
    queries = container.query(WaitlistQueries)
    assert expire_due_offers(registration, queries) == 0

    clock.advance(seconds=601)
    assert expire_due_offers(registration, queries) == 1
    container.catch_up()
    assert expire_due_offers(registration, queries) == 0

    grace_now = expect.ok(
        client.simulate_get(f"/v1/participants/{grace['id']}", headers=admin.headers)
    )
    assert grace_now["status"] == "cancelled"
    late = client.simulate_post(
        f"/v1/events/{event_id}/waitlist/entries/{grace['waitlist_entry_id']}/accept",
        headers=admin.headers,
    )
    expect.problem(late, 404, "not-found")
    entry = expect.ok(
        client.simulate_get(
            f"/v1/events/{event_id}/waitlist/entries/{alan['waitlist_entry_id']}",
            headers=admin.headers,
        )
    )
    assert entry["state"] == "offered"


def test_staff_queue_a_party_move_entries_and_take_one_off(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, _ = full_event(client, admin)
    a = expect.ok(register(client, admin, event_id, "a@example.org"), 201)
    b = expect.ok(register(client, admin, event_id, "b@example.org"), 201)
    moved = client.simulate_post(
        f"/v1/events/{event_id}/waitlist/entries/{b['waitlist_entry_id']}/move",
        json={"move": "top", "reason": "speaker"},
        headers=admin.headers,
    )
    assert expect.ok(moved)["position"] == 1
    raised = client.simulate_post(
        f"/v1/events/{event_id}/waitlist/entries/{a['waitlist_entry_id']}/priority",
        json={"priority": "VIP", "reason": "sponsor"},
        headers=admin.headers,
    )
    assert (expect.ok(raised)["priority"], expect.ok(raised)["position"]) == ("VIP", 1)
    no_reason = client.simulate_post(
        f"/v1/events/{event_id}/waitlist/entries/{a['waitlist_entry_id']}/move",
        json={"move": "down"},
        headers=admin.headers,
    )
    expect.problem(no_reason, 422, "validation-failed")
    twice = client.simulate_post(
        f"/v1/events/{event_id}/waitlist",
        json={"participant_ids": [a["id"]]},
        headers=admin.headers,
    )
    assert expect.problem(twice, 409, "already-on-waitlist")
    left = client.simulate_post(
        f"/v1/events/{event_id}/waitlist/entries/{a['waitlist_entry_id']}/leave",
        json={"reason": "double booking"},
        headers=admin.headers,
    )
    assert expect.ok(left)["state"] == "left"
    gone = expect.ok(read(client, container, admin, f"/v1/participants/{a['id']}", left))
    assert gone["status"] == "cancelled"
    page = waitlist(client, container, admin, event_id, left)
    assert [(i["participant_ids"], i["position"]) for i in page["items"]] == [([b["id"]], 1)]


def test_another_tenant_sees_no_waitlist_and_cannot_answer_an_offer(
    client: TestClient, container: Container, admin: Caller, make_tenant: MakeTenant
) -> None:
    event_id, holders = full_event(client, admin)
    grace = expect.ok(register(client, admin, event_id, "grace@example.org"), 201)
    expect.ok(client.simulate_post(f"/v1/participants/{holders[0]}/cancel", headers=admin.headers))
    other = make_tenant("Other")
    container.catch_up()
    for path in (
        "",
        "/offers",
        "/promotions",
        "/settings",
        f"/entries/{grace['waitlist_entry_id']}",
    ):
        answer = client.simulate_get(f"/v1/events/{event_id}/waitlist{path}", headers=other.headers)
        expect.problem(answer, 404, "not-found")
    accept = client.simulate_post(
        f"/v1/events/{event_id}/waitlist/entries/{grace['waitlist_entry_id']}/accept",
        headers=other.headers,
    )
    expect.problem(accept, 404, "not-found")
