"""Merges over HTTP: merge, the absorbed's refusals naming the survivor, history, un-merge."""

from __future__ import annotations

from typing import Any

from falcon.testing import Result, TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, MakeTenant
from tests.unit.http.test_credentials import run_policy
from tests.unit.http.test_events import open_event, read
from tests.unit.http.test_participants import complete, registered
from tests.unit.http.test_scans import Venue


def merge(
    client: TestClient,
    caller: Caller,
    survivor: str,
    absorbed: str,
    if_match: str | None = None,
    **fields: str,
) -> Result:
    headers = {**caller.headers, **({"If-Match": if_match} if if_match else {})}
    return client.simulate_post(
        f"/v1/participants/{survivor}/merge",
        json={"absorbed_id": absorbed, "fields": fields},
        headers=headers,
    )


def unmerge(
    client: TestClient, caller: Caller, merge_id: str, if_match: str | None = None
) -> Result:
    headers = {**caller.headers, **({"If-Match": if_match} if if_match else {})}
    return client.simulate_post(f"/v1/merges/{merge_id}/unmerge", headers=headers)


def pair(client: TestClient, caller: Caller) -> tuple[str, str, str]:
    """An open event with two registrations of one person; the second has a phone."""
    event_id: str = open_event(client, caller)["id"]
    a: str = registered(client, caller, event_id)["id"]
    b: str = registered(client, caller, event_id, email="ada.l@example.org", phone="+441234567890")[
        "id"
    ]
    return event_id, a, b


def test_a_merge_answers_201_with_its_location_and_the_details_chosen(
    client: TestClient, container: Container, admin: Caller
) -> None:
    _, a, b = pair(client, admin)

    result = merge(client, admin, a, b, email="absorbed")

    body = expect.ok(result, 201)
    assert result.headers["Location"] == f"/v1/merges/{body['id']}"
    assert (body["survivor_id"], body["absorbed_id"], body["status"]) == (a, b, "merged")
    assert body["chosen"]["email"] == "absorbed"
    assert body["chosen"]["phone"] == "absorbed"
    assert body["chosen"]["first_name"] == "survivor"
    survivor = expect.ok(read(client, container, admin, f"/v1/participants/{a}", result))
    assert (survivor["email"], survivor["phone"]) == ("ada.l@example.org", "+441234567890")


def test_the_absorbed_reads_as_merged_and_refuses_commands_naming_the_survivor(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, a, b = pair(client, admin)
    merged = merge(client, admin, a, b)

    absorbed = expect.ok(read(client, container, admin, f"/v1/participants/{b}", merged))
    assert (absorbed["status"], absorbed["survivor_id"]) == ("merged", a)
    queue = read(client, container, admin, f"/v1/events/{event_id}/steps/approval/queue", merged)
    assert [i["participant_id"] for i in expect.ok(queue)["items"]] == [a]
    for refused in (
        client.simulate_patch(
            f"/v1/participants/{b}", json={"organisation": "Engines"}, headers=admin.headers
        ),
        complete(client, admin, b, "approval"),
        client.simulate_post(f"/v1/participants/{b}/withdraw", headers=admin.headers),
        merge(client, admin, b, a),
    ):
        body = expect.problem(refused, 409, "participant-merged")
        assert body["survivor_id"] == a
        assert refused.headers["Link"] == f'</v1/participants/{a}>; rel="canonical"'


def test_the_merge_history_lists_by_participant_and_event_and_reads_one(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, a, b = pair(client, admin)
    other_event, c, d = pair(client, admin)
    first = expect.ok(merge(client, admin, a, b), 201)
    merged = merge(client, admin, c, d)
    second = expect.ok(merged, 201)

    def listed(**params: str) -> list[str]:
        page = expect.ok(read(client, container, admin, "/v1/merges", merged, **params))
        return [m["id"] for m in page["items"]]

    assert listed() == [first["id"], second["id"]]
    assert listed(participant_id=b) == [first["id"]]
    assert listed(participant_id=c) == [second["id"]]
    assert listed(event_id=other_event) == [second["id"]]
    assert listed(limit="1") == [first["id"]]
    one = read(client, container, admin, f"/v1/merges/{first['id']}", merged)
    body = expect.ok(one)
    assert one.headers["ETag"] == '"1"'
    assert (body["event_id"], body["status"], body["unmerged_at"]) == (event_id, "merged", None)
    assert body["merged_by"] == f"api-key:{admin.key_id}"


def test_unmerge_restores_both_participants_and_is_refused_a_second_time(
    client: TestClient, container: Container, admin: Caller
) -> None:
    _, a, b = pair(client, admin)
    merge_id = expect.ok(merge(client, admin, a, b, email="absorbed"), 201)["id"]

    undone = unmerge(client, admin, merge_id)

    assert expect.ok(undone)["status"] == "unmerged"
    survivor = expect.ok(read(client, container, admin, f"/v1/participants/{a}", undone))
    absorbed = expect.ok(read(client, container, admin, f"/v1/participants/{b}", undone))
    assert (survivor["email"], survivor["phone"]) == ("ada@example.org", None)
    assert (absorbed["status"], absorbed["survivor_id"]) == ("pending", None)
    history = expect.ok(read(client, container, admin, f"/v1/merges/{merge_id}", undone))
    assert history["status"] == "unmerged"
    assert history["unmerged_by"] == f"api-key:{admin.key_id}"
    expect.problem(unmerge(client, admin, merge_id), 409, "merge-undone")
    expect.ok(complete(client, admin, b, "approval"))


def test_a_merge_and_an_unmerge_honour_if_match(
    client: TestClient, container: Container, admin: Caller
) -> None:
    _, a, b = pair(client, admin)
    changed = client.simulate_patch(
        f"/v1/participants/{a}", json={"organisation": "Engines"}, headers=admin.headers
    )
    expect.ok(changed)
    before = f'"{int(changed.headers["ETag"].strip(chr(34))) - 1}"'

    # The reviewer decided on the survivor as it was: it has changed since.
    expect.problem(merge(client, admin, a, b, if_match=before), 412, "precondition-failed")
    merged = merge(client, admin, a, b, if_match=changed.headers["ETag"])
    merge_id = expect.ok(merged, 201)["id"]
    expect.problem(unmerge(client, admin, merge_id, if_match='"7"'), 412, "precondition-failed")
    expect.ok(unmerge(client, admin, merge_id, if_match=merged.headers["ETag"]))


def test_bad_merges_are_clear_problems(
    client: TestClient, container: Container, admin: Caller, outsider: Caller
) -> None:
    _, a, b = pair(client, admin)
    _, elsewhere, _ = pair(client, admin)

    itself = expect.problem(merge(client, admin, a, a), 422, "validation-failed")
    assert itself["errors"][0]["field"] == "absorbed_id"
    bad_field = client.simulate_post(
        f"/v1/participants/{a}/merge",
        json={"absorbed_id": b, "fields": {"shoe_size": "absorbed", "email": "both"}},
        headers=admin.headers,
    )
    fields = {e["field"] for e in expect.problem(bad_field, 422, "validation-failed")["errors"]}
    assert fields == {"fields.shoe_size.key", "fields.email.value"}
    no_body = client.simulate_post(f"/v1/participants/{a}/merge", json={}, headers=admin.headers)
    expect.problem(no_body, 422, "validation-failed")
    expect.problem(merge(client, admin, a, elsewhere), 409, "merge-across-events")
    expect.problem(merge(client, outsider, a, b), 404, "not-found")
    merge_id = expect.ok(merge(client, admin, a, b), 201)["id"]
    expect.problem(unmerge(client, outsider, merge_id), 404, "not-found")
    container.catch_up()
    expect.problem(
        client.simulate_get(f"/v1/merges/{merge_id}", headers=outsider.headers), 404, "not-found"
    )
    page = expect.ok(client.simulate_get("/v1/merges", headers=outsider.headers))
    assert page["items"] == []


def test_merging_needs_the_duplicates_review_permission(
    client: TestClient, admin: Caller, make_tenant: MakeTenant, issue_key: Any
) -> None:
    _, a, b = pair(client, admin)
    writer = issue_key(admin.tenant_id, ["participants:write", "participants:read"])

    expect.problem(merge(client, writer, a, b), 403, "permission-denied")
    expect.problem(
        client.simulate_get("/v1/merges", headers=writer.headers), 403, "permission-denied"
    )


def test_the_absorbeds_badge_stops_working_at_the_merge_and_works_again_after_unmerge(
    client: TestClient, container: Container, admin: Caller
) -> None:
    venue = Venue(client, container, admin)
    survivor, _ = venue.participant()
    absorbed, code = venue.participant()
    assert venue.result(code, venue.north) == "OK"
    assert venue.result(code, venue.north, direction="EXIT") == "OK"

    merge_id = expect.ok(merge(client, admin, survivor, absorbed), 201)["id"]
    run_policy(container)

    refused = expect.ok(venue.scan(code, venue.north))
    assert refused["result"] == "NOT_APPROVED"
    assert "merged" in refused["reason"]

    expect.ok(unmerge(client, admin, merge_id))
    run_policy(container)

    assert venue.result(code, venue.north) == "OK"
