"""Over real HTTP, several gunicorn workers: the last places of a zone are never given twice.

On PostgreSQL the scans of every worker go to the scan decider worker `serve`
runs; on SQLite each worker decides inline, under the store's lock (on PostgreSQL
that inline mode is tested in tests/integration/test_scan_fence.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Served, start_serve, stop_serve

CAPACITY = 4
PEOPLE = 12
EXPO = {
    "name": "Arena night",
    "starts_at": "2030-06-01T09:00:00+02:00",
    "ends_at": "2030-06-03T18:00:00+02:00",
    "time_zone": "Europe/Paris",
}


@pytest.fixture(params=["sqlite", "postgres-worker"])
def gates(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    extra = {"ACCREDIT_WORKERS": "3", "ACCREDIT_THREADS": "4"}
    extra["ACCREDIT_RATE_LIMITS"] = json.dumps({"FREE": 100_000})
    if request.param != "sqlite":
        extra["ACCREDIT_DATABASE_URL"] = request.getfixturevalue("pg_url")
        extra["ACCREDIT_SCAN_DECIDER"] = request.param.removeprefix("postgres-")
    server = start_serve(tmp_path, extra)
    try:
        yield server
    finally:
        stop_serve(server)


def _ok(served: Served, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    answer = served.request(method, path, body, key=served.admin_key)
    assert answer.status == status, answer.body
    return answer.body


def _credential_code(served: Served, participant_id: str) -> str:
    path = f"/v1/participants/{participant_id}/credential"
    # The issue policy gives the credential once the approval is recorded.
    served.wait_until(
        lambda: served.request("GET", path, key=served.admin_key).status == 200,
        "the credential's issue",
    )
    code: str = _ok(served, "POST", f"{path}/code")["badge_code"]
    return code


def test_the_last_places_of_a_zone_go_to_as_many_as_fit_whichever_worker_answers(
    gates: Served,
) -> None:
    event_id = _ok(gates, "POST", "/v1/events", EXPO, 201)["id"]
    _ok(gates, "POST", f"/v1/events/{event_id}/open-registration")
    zone = _ok(
        gates,
        "POST",
        f"/v1/events/{event_id}/zones",
        {"code": "arena", "name": "Arena", "capacity": CAPACITY},
        201,
    )
    checkpoints = [
        _ok(
            gates,
            "POST",
            f"/v1/events/{event_id}/checkpoints",
            {"name": f"Gate {n}", "direction": "BOTH", "zone_id": zone["id"]},
            201,
        )["id"]
        for n in range(3)
    ]
    codes = []
    for n in range(PEOPLE):
        person = {"first_name": "Guest", "last_name": f"N{n}", "email": f"g{n}@example.org"}
        participant = _ok(gates, "POST", f"/v1/events/{event_id}/participants", person, 201)
        step = f"/v1/participants/{participant['id']}/steps/approval/complete"
        _ok(gates, "POST", step, {"outcome": "approved"})
        codes.append(_credential_code(gates, participant["id"]))

    def scan(n: int, direction: str = "ENTRY", nonce: str | None = None) -> dict[str, Any]:
        body = {
            "badge_code": codes[n],
            "checkpoint_id": checkpoints[n % len(checkpoints)],
            "direction": direction,
            "device_id": f"gate-device-{n % len(checkpoints)}",
            "nonce": nonce or f"{direction}-{n}",
            "scanned_at": datetime.now(UTC).isoformat(),
        }
        answer = gates.request("POST", f"/v1/events/{event_id}/scans", body, gates.admin_key)
        assert answer.status == 200, answer.body
        decided: dict[str, Any] = answer.body
        return decided

    # Each request on a connection of its own: the workers share them.
    with ThreadPoolExecutor(PEOPLE) as pool:
        entries = list(pool.map(scan, range(PEOPLE)))
    inside = [n for n, e in enumerate(entries) if e["result"] == "OK"]
    assert Counter(e["result"] for e in entries) == {
        "OK": CAPACITY,
        "ZONE_FULL": PEOPLE - CAPACITY,
    }
    # An exit frees a place at once; a retried nonce changes nothing.
    assert scan(inside[0], "EXIT")["result"] == "OK"
    assert scan(inside[0], "EXIT")["result"] == "OK"  # same nonce: the first answer
    turned_away = [n for n in range(PEOPLE) if n not in inside]
    with ThreadPoolExecutor(3) as pool:
        again = list(pool.map(lambda n: scan(n, nonce=f"again-{n}"), turned_away[:3]))
    assert Counter(e["result"] for e in again) == {"OK": 1, "ZONE_FULL": 2}
