"""A query sees its own key's commands without asking; min_position names others' writes."""

from __future__ import annotations

import pytest
from falcon.testing import TestClient
from sqlalchemy import update

from adapters.projection.leadership import leadership_for
from adapters.projection.tracking import projection_tracking
from entrypoints.wiring.container import Container
from tests.recording_positions import RecordingPositions
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey


def test_a_query_at_a_caught_up_position_answers_with_the_write(
    client: TestClient, container: Container, admin: Caller
) -> None:
    renamed = client.simulate_patch("/v1/tenant", json={"name": "Renamed"}, headers=admin.headers)
    position = renamed.headers["Accredit-Position"]
    container.catch_up()

    result = client.simulate_get(
        "/v1/tenant", params={"min_position": position}, headers=admin.headers
    )

    assert expect.ok(result)["name"] == "Renamed"


@pytest.fixture
def positions(container: Container) -> RecordingPositions:
    """The container's positions, recording each wait; ask for it before `client` (the app)."""
    container.positions = RecordingPositions(container.reader, changes=container.view_changes)
    return container.positions


def test_a_query_at_a_position_the_view_lacks_is_a_503_after_the_read_wait(
    positions: RecordingPositions, client: TestClient, container: Container, admin: Caller
) -> None:
    issued = client.simulate_post(
        "/v1/api-keys", json={"name": "k", "permissions": ["ADMIN"]}, headers=admin.headers
    )
    position = issued.headers["Accredit-Position"]

    result = client.simulate_get(
        "/v1/api-keys", params={"min_position": position}, headers=admin.headers
    )

    expect.problem(result, 503, "projection-lagging")
    assert result.headers["Retry-After"] == "1"
    # A look at once, then a wait of ACCREDIT_READ_WAIT_SECONDS, before giving up.
    assert positions.waits == [(0.0, False), (container.settings.read_wait_seconds, False)]


def test_the_header_form_of_min_position_works_too(
    client: TestClient, container: Container, admin: Caller
) -> None:
    position = client.simulate_patch(
        "/v1/tenant", json={"name": "Header"}, headers=admin.headers
    ).headers["Accredit-Position"]

    lagging = client.simulate_get(
        "/v1/tenant", headers={**admin.headers, "Accredit-Min-Position": position}
    )
    container.catch_up()
    caught_up = client.simulate_get(
        "/v1/tenant", headers={**admin.headers, "Accredit-Min-Position": position}
    )

    expect.problem(lagging, 503, "projection-lagging")
    assert expect.ok(caught_up)["name"] == "Header"


def test_without_min_position_a_query_waits_for_the_commands_its_own_key_made(
    positions: RecordingPositions, client: TestClient, container: Container, admin: Caller
) -> None:
    client.simulate_patch("/v1/tenant", json={"name": "Mine"}, headers=admin.headers)

    lagging = client.simulate_get("/v1/tenant", headers=admin.headers)
    container.catch_up()
    caught_up = client.simulate_get("/v1/tenant", headers=admin.headers)

    problem = expect.problem(lagging, 503, "projection-lagging")
    assert "this key's latest commands (platform:" in problem["detail"]
    assert expect.ok(caught_up)["name"] == "Mine"
    assert positions.waits[:2] == [(0.0, False), (container.settings.read_wait_seconds, False)]


def test_another_key_reads_what_the_view_has_at_once_unless_it_names_the_position(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    other = issue_key(admin.tenant_id)
    renamed = client.simulate_patch("/v1/tenant", json={"name": "Not yet"}, headers=admin.headers)

    at_once = client.simulate_get("/v1/tenant", headers=other.headers)
    named = client.simulate_get(
        "/v1/tenant",
        params={"min_position": renamed.headers["Accredit-Position"]},
        headers=other.headers,
    )

    assert expect.ok(at_once)["name"] == "Acme Events"
    expect.problem(named, 503, "projection-lagging")


def test_a_refused_command_leaves_the_key_reading_at_once(
    positions: RecordingPositions, client: TestClient, admin: Caller
) -> None:
    refused = client.simulate_patch("/v1/tenant", json={"name": ""}, headers=admin.headers)

    result = client.simulate_get("/v1/tenant", headers=admin.headers)

    assert refused.status_code == 422
    assert expect.ok(result)["name"] == "Acme Events"
    assert positions.waits == []


def test_an_old_position_answers_at_once(client: TestClient, admin: Caller) -> None:
    result = client.simulate_get(
        "/v1/tenant", params={"min_position": "platform:1"}, headers=admin.headers
    )

    expect.ok(result)


@pytest.mark.parametrize("position", ["elsewhere:1", "Platform:1", "platform:1,nowhere:2"])
def test_a_position_of_an_application_the_view_does_not_follow_is_a_400_at_once(
    client: TestClient, admin: Caller, position: str
) -> None:
    result = client.simulate_get(
        "/v1/tenant", params={"min_position": position}, headers=admin.headers
    )

    expect.problem(result, 400, "invalid-parameter")


def test_every_command_answer_carries_its_position(client: TestClient, admin: Caller) -> None:
    answers = [
        client.simulate_patch("/v1/tenant", json={"name": "P"}, headers=admin.headers),
        client.simulate_post(
            "/v1/api-keys", json={"name": "k", "permissions": ["ADMIN"]}, headers=admin.headers
        ),
        client.simulate_post(f"/v1/api-keys/{admin.key_id}/rotate", headers=admin.headers),
    ]

    numbers = [int(a.headers["Accredit-Position"].split(":")[1]) for a in answers]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3


def test_a_position_never_handed_out_is_a_400_at_once_not_a_wait(
    positions: RecordingPositions, client: TestClient, admin: Caller
) -> None:
    result = client.simulate_get(
        "/v1/tenant", params={"min_position": "platform:999999"}, headers=admin.headers
    )

    expect.problem(result, 400, "invalid-parameter")
    assert positions.waits == []
    assert positions.reads == 0


def live_tables_of_an_older_version(container: Container) -> None:
    """As after an upgrade: the platform's tables were built by version 0 of its projector."""
    with container.engine.begin() as conn:
        conn.execute(
            update(projection_tracking)
            .where(projection_tracking.c.projection == "platform")
            .values(version=0)
        )


def test_a_query_past_the_tables_of_a_projection_being_rebuilt_is_a_503_at_once(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    other = issue_key(admin.tenant_id)
    renamed = client.simulate_patch("/v1/tenant", json={"name": "Later"}, headers=admin.headers)
    live_tables_of_an_older_version(container)

    waiting = client.simulate_get(
        "/v1/tenant",
        params={"min_position": renamed.headers["Accredit-Position"]},
        headers=admin.headers,
    )
    own = client.simulate_get("/v1/tenant", headers=admin.headers)
    meanwhile = client.simulate_get("/v1/tenant", headers=other.headers)

    problem = expect.problem(waiting, 503, "projection-rebuilding")
    assert "being rebuilt to version 1" in problem["detail"]
    assert (problem["projection"], problem["version"]) == ("platform", 1)
    assert waiting.headers["Retry-After"] == "5"
    expect.problem(own, 503, "projection-rebuilding")
    assert expect.ok(meanwhile)["name"] == "Acme Events"


def test_while_a_runner_of_the_old_version_still_leads_a_query_waits_for_it_as_usual(
    client: TestClient, container: Container, admin: Caller
) -> None:
    renamed = client.simulate_patch("/v1/tenant", json={"name": "Later"}, headers=admin.headers)
    live_tables_of_an_older_version(container)
    old_runner = leadership_for(container.engine, "platform", 0)
    assert old_runner.try_lead()
    try:
        waiting = client.simulate_get(
            "/v1/tenant",
            params={"min_position": renamed.headers["Accredit-Position"]},
            headers=admin.headers,
        )
    finally:
        old_runner.close()

    expect.problem(waiting, 503, "projection-lagging")


def test_a_list_that_looks_its_event_up_in_another_view_waits_for_the_keys_new_event(
    client: TestClient, container: Container, admin: Caller
) -> None:
    created = client.simulate_post(
        "/v1/events",
        json={
            "name": "Expo 2030",
            "starts_at": "2030-06-01T09:00:00+02:00",
            "ends_at": "2030-06-03T18:00:00+02:00",
            "time_zone": "Europe/Paris",
        },
        headers=admin.headers,
    )
    zones = f"/v1/events/{created.json['id']}/zones"

    lagging = client.simulate_get(zones, headers=admin.headers)
    container.catch_up()
    listed = client.simulate_get(zones, headers=admin.headers)

    problem = expect.problem(lagging, 503, "projection-lagging")
    assert "the registration view has not reached this key's latest commands" in problem["detail"]
    assert expect.ok(listed)["items"] == []
