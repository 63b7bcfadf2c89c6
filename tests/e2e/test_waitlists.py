"""Waitlists under the real `accredit serve`: offers made at once, and ended on time by the
supervised timer, with no request arriving, even when its worker is killed meanwhile."""

from __future__ import annotations

import os
import signal
from typing import Any

from tests.e2e.conftest import Served

WINDOW_SECONDS = 5


def test_an_offer_expires_on_time_by_the_timer_alone_and_the_seat_passes_on(
    served: Served,
) -> None:
    key = served.admin_key
    event = served.created(
        "/v1/events",
        {
            "name": "Workshop",
            "starts_at": "2030-06-01T09:00:00+02:00",
            "ends_at": "2030-06-01T12:00:00+02:00",
            "time_zone": "Europe/Paris",
            "capacity": 1,
        },
    )
    events = f"/v1/events/{event['id']}"
    assert served.request("POST", f"{events}/open-registration", key=key).status == 200
    settings = {"offer_window_seconds": WINDOW_SECONDS, "on_accept": "approve"}
    put = served.request(
        "PUT", f"{events}/waitlist/settings", {**settings, "when_full": "waitlist"}, key=key
    )
    assert put.status == 200, put.body

    def person(name: str) -> dict[str, Any]:
        body = {"first_name": name, "last_name": "Tester", "email": f"{name}@example.org"}
        return served.created(f"{events}/participants", body)

    holder = person("holder")
    done = served.request(
        "POST",
        f"/v1/participants/{holder['id']}/steps/approval/complete",
        {"outcome": "approved"},
        key=key,
    )
    assert done.status == 200, done.body
    first, second = person("first"), person("second")
    assert (first["status"], second["status"]) == ("waitlisted", "waitlisted")

    cancelled = served.request("POST", f"/v1/participants/{holder['id']}/cancel", key=key)
    assert cancelled.status == 200, cancelled.body

    def entry(who: dict[str, Any]) -> Any:
        return served.request(
            "GET", f"{events}/waitlist/entries/{who['waitlist_entry_id']}", key=key
        )

    # Read-your-writes: the first read after the cancellation already shows the offer.
    offered = entry(first)
    assert offered.status == 200, offered.body
    assert offered.body["state"] == "offered"

    # The timer's worker dies before the deadline: serve restarts it, and it ends the offer.
    os.kill(served.child_pid("waitlists"), signal.SIGKILL)

    def participant_status(who: dict[str, Any]) -> str:
        status: str = served.request("GET", f"/v1/participants/{who['id']}", key=key).body["status"]
        return status

    served.wait_until(
        lambda: participant_status(first) == "cancelled", "the offer expiring", timeout=45
    )
    served.wait_until(
        lambda: entry(second).body.get("state") == "offered", "the seat passing on", timeout=15
    )
    offers = served.request("GET", f"{events}/waitlist/offers", key=key).body["items"]
    assert [o["state"] for o in offers][:1] == ["expired"]
    assert len(served.log().split("started waitlists pid=")) >= 3  # started, then restarted
