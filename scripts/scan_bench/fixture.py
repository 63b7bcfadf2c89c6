"""The scan benchmark's data, made through the public HTTP API as an organiser would.

An open event with the default workflow (one approval step), its three zones (the
arena, the hall, and a VIP area inside the arena with a capacity), twenty gates, one
scanner key per device, and the participants: registered, approved, and, once the
credential policy has issued their credentials, each badge code taken once.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from scan_bench.devices import ARENA, GATES, HALL, VIP, Layout

HOST = "127.0.0.1"
STAGE_THREADS = (8, 2, 4)  # registering, approving, taking codes
CONFLICT_RETRIES = 20
PROGRESS_EVERY = 1000
CODE_WAIT_SECONDS = 120.0  # for the credential policy to issue one, once approved
Badge = tuple[str, str]  # (participant id, badge code)


class SetupError(RuntimeError):
    """An answer the set-up did not expect; the message has it."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class Api:
    """JSON over keep-alive connections to one port, one connection per thread."""

    def __init__(self, port: int, secret: str) -> None:
        self.port = port
        self.secret = secret
        self.local = threading.local()

    def call(self, method: str, path: str, body: Any = None, secret: str | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {secret or self.secret}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(3):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
                time.sleep(0.2)
                continue
            parsed = json.loads(raw) if raw and b"{" in raw[:1] else raw
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, parsed)
        raise AssertionError("unreachable")

    def expect(
        self, status: int, method: str, path: str, body: Any = None, secret: str | None = None
    ) -> Any:
        answer = self.call(method, path, body, secret)
        if answer.status != status:
            raise SetupError(f"{method} {path} answered {answer.status}: {answer.body!r:.500}")
        return answer.body


@dataclass(frozen=True)
class Venue:
    event_id: str
    layout: Layout
    capacities: dict[str, int | None]  # zone code → capacity


def create_venue(api: Api, vip_capacity: int) -> Venue:
    """An open event, its three zones and twenty gates."""
    starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    event = api.expect(
        201,
        "POST",
        "/v1/events",
        {
            "name": "Scan benchmark arena",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(days=2)).isoformat(),
            "time_zone": "UTC",
        },
    )
    event_id = event["id"]
    api.expect(200, "POST", f"/v1/events/{event_id}/open-registration")
    zones: dict[str, str] = {}
    capacities: dict[str, int | None] = {ARENA: None, HALL: None, VIP: vip_capacity}
    for code, name, parent in ((ARENA, "Arena", None), (HALL, "Hall", None), (VIP, "VIP", ARENA)):
        body = {"code": code, "name": name, "capacity": capacities[code]}
        if parent is not None:
            body["parent_id"] = zones[parent]
        zones[code] = api.expect(201, "POST", f"/v1/events/{event_id}/zones", body)["id"]
    gates: list[tuple[str, str, str]] = []
    for zone, direction, count in GATES:
        for n in range(1, count + 1):
            body = {
                "name": f"{zone} {direction} {n}",
                "direction": direction,
                "zone_id": zones[zone],
            }
            gate = api.expect(201, "POST", f"/v1/events/{event_id}/checkpoints", body)
            gates.append((gate["id"], zone, direction))
    return Venue(event_id, Layout(zones, gates), capacities)


def scanner_keys(api: Api, count: int, tier: str) -> list[str]:
    """One key per gate device, with the scan permission only."""
    return [
        api.expect(
            201,
            "POST",
            "/v1/api-keys",
            {"name": f"gate device {n}", "permissions": ["check-in:scan"], "tier": tier},
        )["secret"]
        for n in range(count)
    ]


def badges(api: Api, event_id: str, count: int, log: Callable[[str], None]) -> list[Badge]:
    """`count` participants registered, approved, and each badge code taken once.

    Three stages in a pipeline, each with its own threads, so they overlap: every
    approval takes a seat on the event's one seat ledger, so approvals in parallel
    conflict (fewer threads, and a conflict retried as its answer says), and a code
    can be taken only once the credential policy has issued the credential.
    """
    run = f"{time.time_ns():x}"

    def register(n: int) -> str:
        person = {
            "first_name": "Gate",
            "last_name": f"Goer {n}",
            "email": f"p{n}.{run}@bench.example.org",
        }
        participant = api.expect(201, "POST", f"/v1/events/{event_id}/participants", person)
        return str(participant["id"])

    def approve(registered: Future[str]) -> str:
        participant_id = registered.result()
        path = f"/v1/participants/{participant_id}/steps/approval/complete"
        for _ in range(CONFLICT_RETRIES):
            answer = api.call("POST", path, {"outcome": "approved"})
            if answer.status == 200:
                return participant_id
            if answer.status != 409 or "concurrency" not in str(answer.body.get("type")):
                break
            time.sleep(random.uniform(0.0, 0.05))
        raise SetupError(f"POST {path} answered {answer.status}: {answer.body!r:.300}")

    def take_code(approved: Future[str]) -> Badge:
        participant_id = approved.result()
        deadline = time.monotonic() + CODE_WAIT_SECONDS
        path = f"/v1/participants/{participant_id}/credential/code"
        while True:
            answer = api.call("POST", path, {})
            if answer.status == 200:
                return participant_id, str(answer.body["badge_code"])
            # 404: not issued yet; 409: issued, its code not kept yet (nothing was taken).
            if answer.status not in (404, 409) or time.monotonic() > deadline:
                raise SetupError(f"POST {path} answered {answer.status}: {answer.body!r:.300}")
            time.sleep(0.25)

    began = time.monotonic()
    stages = [ThreadPoolExecutor(n) for n in STAGE_THREADS]
    try:
        registered = [stages[0].submit(register, n) for n in range(count)]
        approved = [stages[1].submit(approve, f) for f in registered]
        taken = [stages[2].submit(take_code, f) for f in approved]
        for n, future in enumerate(as_completed(taken), start=1):
            future.result()
            if n % PROGRESS_EVERY == 0 or n == count:
                rate = n / max(time.monotonic() - began, 1e-9)
                done = [sum(f.done() for f in stage) for stage in (registered, approved)]
                log(
                    f"{n:,}/{count:,} badge codes taken ({rate:,.0f}/s); "
                    f"{done[0]:,} registered, {done[1]:,} approved"
                )
        return [f.result() for f in taken]
    finally:
        # Every stage's queue is dropped before any is waited for: a code waiting on an
        # approval still queued would otherwise keep its stage, and the run, going.
        for stage in stages:
            stage.shutdown(wait=False, cancel_futures=True)
        for stage in stages:
            stage.shutdown(wait=True)
