"""A key's scans are in its next occupancy and access log reads, with no parameter."""

from __future__ import annotations

from falcon.testing import TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller
from tests.unit.http.test_scans import Venue, decider, settings

__all__ = ["decider", "settings"]  # the scans' fixtures: both stores, the decider where wanted


def test_a_scans_answer_makes_the_same_keys_occupancy_read_wait_for_it(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    _, code = venue.participant()
    container.catch_up()
    occupancy = f"/v1/events/{venue.event_id}/occupancy"

    scanned = venue.scan(code, venue.north)
    lagging = client.simulate_get(occupancy, headers=admin.headers)
    container.catch_up()
    caught_up = client.simulate_get(occupancy, headers=admin.headers)
    log = client.simulate_get(f"/v1/events/{venue.event_id}/access-log", headers=admin.headers)

    assert expect.ok(scanned)["result"] == "OK"
    assert scanned.headers["Accredit-Position"].startswith("access:")
    expect.problem(lagging, 503, "projection-lagging")
    assert expect.ok(caught_up)["inside"] == 1
    assert [i["result"] for i in expect.ok(log)["items"]] == ["OK"]
