"""A bulk approval under the real `accredit serve`, its executor killed with SIGKILL mid-run:
the supervisor restarts it, and every item ends applied exactly once."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.e2e.conftest import Served

PEOPLE = 400


def test_a_bulk_approval_survives_its_executor_being_killed_and_applies_each_item_once(
    served: Served,
) -> None:
    key = served.admin_key
    event = served.created(
        "/v1/events",
        {
            "name": "Congress",
            "starts_at": "2030-06-01T09:00:00+02:00",
            "ends_at": "2030-06-03T18:00:00+02:00",
            "time_zone": "Europe/Paris",
        },
    )
    events = f"/v1/events/{event['id']}"
    assert served.request("POST", f"{events}/open-registration", key=key).status == 200

    def register(n: int) -> str:
        body = {"first_name": "Delegate", "last_name": f"N{n}", "email": f"d{n}@example.org"}
        participant_id: str = served.created(f"{events}/participants", body)["id"]
        return participant_id

    with ThreadPoolExecutor(max_workers=4) as pool:
        people = list(pool.map(register, range(PEOPLE)))

    asked = served.request(
        "POST",
        f"{events}/bulk-operations",
        {
            "kind": "complete-step",
            "params": {"step_id": "approval", "outcome": "approved"},
            "selection": {"participant_ids": people},
        },
        key=key,
    )
    assert asked.status == 202, asked.body
    status_path = asked.headers["location"]

    def status() -> dict[str, Any]:
        # A 503 asks to retry shortly (the database refused a connection, say, on a machine
        # many tests share): the status is read again, as a client would.
        for _ in range(50):
            answer = served.request("GET", status_path, key=key)
            if answer.status != 503:
                break
            time.sleep(0.2)
        assert answer.status == 200, answer.body
        document: dict[str, Any] = answer.body
        return document

    served.wait_until(lambda: status()["done"] > 0, "the first items", timeout=60)
    assert status()["state"] == "RUNNING"
    executor = served.child_pid("operations")
    os.kill(executor, signal.SIGKILL)
    served.wait_until(lambda: served.child_pid("operations") != executor, "the restart")
    served.wait_until(lambda: status()["state"] != "RUNNING", "the operation ending", timeout=120)

    ended = status()
    assert (ended["state"], ended["ok"], ended["refused"], ended["skipped"]) == (
        "COMPLETED",
        PEOPLE,
        0,
        0,
    )
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = "?limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = served.request("GET", f"{status_path}/items{query}", key=key).body
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(i["participant_id"] for i in items) == sorted(people)
    assert {i["result"] for i in items} == {"ok"}
    counts = served.request("GET", f"{events}/counts", key=key).body
    assert (counts["by_status"]["approved"], counts["by_status"]["pending"]) == (PEOPLE, 0)
