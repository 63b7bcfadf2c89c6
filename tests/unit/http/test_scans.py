"""Scans over HTTP: decisions with their reasons, capacity, nonces, offline batches, annulments."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from falcon.testing import Result, TestClient

from adapters.settings import Settings
from domain.access.application import AccessApplication
from domain.access.gate_log import GateLog, gate_log_id
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from entrypoints.workers.scans import run_scan_decider
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey
from tests.unit.http.test_credentials import path, run_policy, take_code
from tests.unit.http.test_events import open_event
from tests.unit.http.test_participants import complete, registered
from tests.unit.http.test_zones import add_zone

_nonces = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """SQLite, where each process decides its scans; PostgreSQL, where the decider does."""
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path / "var", demo_tenant=False, read_wait_seconds=0.2)
    url = request.getfixturevalue("pg_url")
    return Settings(
        database_url=url, data_dir=tmp_path / "var", demo_tenant=False, read_wait_seconds=0.2
    )


@pytest.fixture(autouse=True)
def decider(settings: Settings, container: Container) -> Iterator[None]:
    """The scan decider worker, on a container of its own, where the settings want one."""
    if not settings.scans_by_worker:
        yield
        return
    stop = threading.Event()
    own = build(settings)
    thread = threading.Thread(target=run_scan_decider, args=(own, stop), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)
        own.close()


class Venue:
    """An event with an arena, a VIP area of one place inside it, and a gate to each."""

    def __init__(self, client: TestClient, container: Container, caller: Caller) -> None:
        self.client, self.container, self.caller = client, container, caller
        self.event_id: str = open_event(client, caller)["id"]
        self.arena = add_zone(client, caller, self.event_id)
        self.vip = add_zone(
            client,
            caller,
            self.event_id,
            code="vip",
            name="VIP",
            capacity=1,
            parent_id=self.arena["id"],
        )
        self.north = self._gate("North gate", self.arena)
        self.vip_door = self._gate("VIP door", self.vip)

    def _gate(self, name: str, zone: dict[str, Any]) -> str:
        answer = self.client.simulate_post(
            f"/v1/events/{self.event_id}/checkpoints",
            json={"name": name, "direction": "BOTH", "zone_id": zone["id"]},
            headers=self.caller.headers,
        )
        gate_id: str = expect.ok(answer, 201)["id"]
        return gate_id

    def participant(self) -> tuple[str, str]:
        """An approved participant of the event and their badge code."""
        email = f"guest{next(_nonces)}@example.org"
        participant_id: str = registered(self.client, self.caller, self.event_id, email=email)["id"]
        expect.ok(complete(self.client, self.caller, participant_id, "approval"))
        run_policy(self.container)
        return participant_id, take_code(self.client, self.caller, participant_id)

    def scan(
        self,
        code: str,
        gate: str,
        direction: str = "ENTRY",
        nonce: str | None = None,
        caller: Caller | None = None,
        **more: Any,
    ) -> Result:
        body = {
            "badge_code": code,
            "checkpoint_id": gate,
            "direction": direction,
            "device_id": "device-1",
            "nonce": nonce or f"n{next(_nonces)}",
            "scanned_at": datetime.now(UTC).isoformat(),
            **more,
        }
        return self.client.simulate_post(
            f"/v1/events/{self.event_id}/scans",
            json=body,
            headers=(caller or self.caller).headers,
        )

    def result(self, *args: Any, **kwargs: Any) -> str:
        answered: str = expect.ok(self.scan(*args, **kwargs))["result"]
        return answered

    def recorded(self) -> list[Any]:
        access = self.container.app(AccessApplication)
        log_id = gate_log_id(self.caller.tenant_id, self.event_id_uuid)
        return [e for e in access.events.get(log_id) if not isinstance(e, GateLog.Opened)]

    @property
    def event_id_uuid(self) -> UUID:
        return UUID(self.event_id)


def test_in_and_out_through_a_gate_with_a_reason_for_every_refusal(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    participant_id, code = venue.participant()

    entry = venue.scan(code, venue.north)
    body = expect.ok(entry)
    assert body["result"] == "OK"
    assert body["ok"] is True
    assert body["participant_id"] == participant_id
    assert body["entered"] == [venue.arena["id"]]
    position = entry.headers["Accredit-Position"]
    assert position.startswith("access:")
    # Noted for the key before the answer: its next reads wait for the scan.
    (noted,) = container.key_positions.of(str(admin.key_id), ["access"])
    assert str(noted) == position
    assert venue.result(code, venue.north) == "ALREADY_INSIDE"
    assert venue.result(code, venue.north, "EXIT") == "OK"
    refused = expect.ok(venue.scan(code, venue.north, "EXIT"))
    assert refused["result"] == "NOT_INSIDE"
    assert refused["reason"]
    assert venue.result("ACR" + "1" * 48, venue.north) == "UNKNOWN_CREDENTIAL"
    # Every scan is recorded, denials included.
    assert [e.result for e in venue.recorded()] == [
        "OK",
        "ALREADY_INSIDE",
        "OK",
        "NOT_INSIDE",
        "UNKNOWN_CREDENTIAL",
    ]


def test_a_zone_at_capacity_answers_zone_full_until_someone_leaves(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    _, first = venue.participant()
    _, second = venue.participant()

    assert venue.result(first, venue.vip_door) == "OK"
    full = expect.ok(venue.scan(second, venue.vip_door))
    assert full["result"] == "ZONE_FULL"
    assert full["entered"] == []
    assert venue.result(first, venue.vip_door, "EXIT") == "OK"
    assert venue.result(second, venue.vip_door) == "OK"


def test_a_repeated_nonce_answers_the_first_decision_and_records_nothing_more(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    _, code = venue.participant()

    first = venue.scan(code, venue.north, nonce="same")
    again = venue.scan(code, venue.north, nonce="same")

    assert expect.ok(again) == expect.ok(first)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(venue.recorded()) == 1


def test_a_suspended_credential_is_refused_at_the_gate_but_may_leave(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    participant_id, code = venue.participant()
    assert venue.result(code, venue.north) == "OK"

    expect.ok(client.simulate_post(path(participant_id, "suspend"), headers=admin.headers))

    assert venue.result(code, venue.vip_door) == "SUSPENDED"
    assert venue.result(code, venue.north, "EXIT") == "OK"


def test_an_offline_batch_is_decided_in_scan_time_order_and_a_retry_doubles_nothing(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    _, code = venue.participant()
    start = datetime.now(UTC) - timedelta(hours=1)

    def scan(nonce: str, direction: str, minutes: int) -> dict[str, Any]:
        return {
            "badge_code": code,
            "checkpoint_id": venue.north,
            "direction": direction,
            "device_id": "handheld-7",
            "nonce": nonce,
            "scanned_at": (start + timedelta(minutes=minutes)).isoformat(),
        }

    # Sent out of order: the exit was scanned after the entry.
    batch = {"scans": [scan("b", "EXIT", 5), scan("a", "ENTRY", 1)]}
    url = f"/v1/events/{venue.event_id}/scans/batch"
    first = expect.ok(client.simulate_post(url, json=batch, headers=admin.headers))
    again = client.simulate_post(url, json=batch, headers=admin.headers)

    assert [r["result"] for r in first["results"]] == ["OK", "OK"]
    assert [r["direction"] for r in first["results"]] == ["EXIT", "ENTRY"]
    assert all(r["offline"] for r in first["results"])
    assert expect.ok(again) == first
    assert len(venue.recorded()) == 2


def test_an_entry_annulled_by_its_nonce_frees_the_place(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    _, first = venue.participant()
    _, second = venue.participant()
    assert venue.result(first, venue.vip_door, nonce="vip-1") == "OK"
    url = f"/v1/events/{venue.event_id}/scans/annul"

    annulled = expect.ok(
        client.simulate_post(
            url, json={"device_id": "device-1", "nonce": "vip-1"}, headers=admin.headers
        )
    )
    missing = client.simulate_post(
        url, json={"device_id": "device-1", "nonce": "nope"}, headers=admin.headers
    )

    assert annulled["annulment"] is True
    assert annulled["left"] == [venue.vip["id"], venue.arena["id"]]
    assert venue.result(second, venue.vip_door) == "OK"
    assert expect.problem(missing, 404, "not-found")["code"] == "unknown-scan"


def test_the_end_of_day_check_out_empties_the_event_once(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    _, first = venue.participant()
    _, second = venue.participant()
    assert venue.result(first, venue.vip_door) == "OK"
    assert venue.result(second, venue.north) == "OK"
    url = f"/v1/events/{venue.event_id}/check-out"

    done = expect.ok(client.simulate_post(url, json={"nonce": "day-1"}, headers=admin.headers))
    again = expect.ok(client.simulate_post(url, json={"nonce": "day-1"}, headers=admin.headers))

    assert done["checked_out"] == 2
    assert again["checked_out"] == 0
    assert venue.result(first, venue.vip_door) == "OK"  # a single place free again


def test_scans_of_unknown_places_times_and_tenants_are_refused_with_problems(
    client: TestClient,
    container: Container,
    admin: Caller,
    outsider: Caller,
    issue_key: IssueKey,
) -> None:
    venue = Venue(client, container, admin)
    _, code = venue.participant()
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    reader = issue_key(admin.tenant_id, ["access:read"])

    unknown_gate = venue.scan(code, "00000000-0000-4000-8000-000000000000")
    foreign = venue.scan(code, venue.north, caller=outsider)
    ahead = venue.scan(code, venue.north, scanned_at=future)
    no_zone = venue.scan(code, venue.north, scanned_at="2027-05-21T08:00:00")
    forbidden = venue.scan(code, venue.north, caller=reader)

    assert expect.problem(unknown_gate, 404, "not-found")["code"] == "unknown-checkpoint"
    assert expect.problem(foreign, 404, "not-found")["code"] == "no-access-plan"
    assert expect.problem(ahead, 422, "validation-failed")["errors"][0]["field"] == "scanned_at"
    assert no_zone.status_code in (400, 422)
    assert forbidden.status_code == 403
    assert venue.recorded() == []
