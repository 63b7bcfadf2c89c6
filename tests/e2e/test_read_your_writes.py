"""Over real HTTP, with two gunicorn workers: a key reads what it just wrote, no parameter."""

from __future__ import annotations

from tests.e2e.conftest import Served

TRIES = 100
EXPO = {
    "starts_at": "2030-06-01T09:00:00+02:00",
    "ends_at": "2030-06-03T18:00:00+02:00",
    "time_zone": "Europe/Paris",
}


def test_a_key_follows_the_location_of_what_it_just_created_on_any_worker(
    served: Served,
) -> None:
    misses = []
    for n in range(TRIES):
        # Each request is a new connection, so the two go to either worker.
        created = served.request(
            "POST", "/v1/events", {"name": f"Expo {n}", **EXPO}, key=served.admin_key
        )
        assert created.status == 201, created.body
        followed = served.request("GET", created.headers["location"], key=served.admin_key)
        if followed.status != 200 or followed.body["name"] != f"Expo {n}":
            misses.append((n, followed.status, followed.body))

    assert misses == []


def test_a_key_sees_its_own_change_in_lists_while_another_key_may_name_the_position(
    served: Served,
) -> None:
    reader = served.request(
        "POST",
        "/v1/api-keys",
        {"name": "reader", "permissions": ["tenant:read"]},
        key=served.admin_key,
    ).body["secret"]
    for n in range(TRIES // 4):
        renamed = served.request("PATCH", "/v1/tenant", {"name": f"Acme {n}"}, key=served.admin_key)
        assert renamed.status == 200, renamed.body
        own = served.request("GET", "/v1/tenant", key=served.admin_key)
        position = renamed.headers["accredit-position"]
        other = served.request("GET", f"/v1/tenant?min_position={position}", key=reader)

        assert (own.status, own.body["name"]) == (200, f"Acme {n}")
        assert (other.status, other.body["name"]) == (200, f"Acme {n}")
