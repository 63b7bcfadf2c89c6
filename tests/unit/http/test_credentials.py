"""Credentials over HTTP: issued to approved participants, the code shown once, staff rules."""

from __future__ import annotations

from typing import Any

import pytest
from falcon.testing import TestClient

from domain.access import badge_code
from domain.access.application import AccessApplication
from domain.access.credential import CodeCheck
from entrypoints.wiring.container import Container
from entrypoints.workers.credentials import credential_policy
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey
from tests.unit.http.test_events import MISSING, open_event, with_etag
from tests.unit.http.test_participants import complete, registered


def run_policy(container: Container) -> None:
    """The issue policy, then the projections, brought up to date."""
    credential_policy(container).catch_up()
    container.catch_up()


def approved(client: TestClient, container: Container, caller: Caller, **fields: Any) -> str:
    """A participant approved at a new event, with the credential the policy issued."""
    event_id = open_event(client, caller)["id"]
    participant_id: str = registered(client, caller, event_id, **fields)["id"]
    expect.ok(complete(client, caller, participant_id, "approval"))
    run_policy(container)
    return participant_id


def path(participant_id: str, action: str = "") -> str:
    base = f"/v1/participants/{participant_id}/credential"
    return f"{base}/{action}" if action else base


def take_code(client: TestClient, caller: Caller, participant_id: str) -> str:
    body = expect.ok(client.simulate_post(path(participant_id, "code"), headers=caller.headers))
    code: str = body["badge_code"]
    return code


def check(container: Container, caller: Caller, code: str) -> CodeCheck:
    return container.app(AccessApplication).check_code(caller.tenant_id, code)[1]


def test_an_approved_participant_has_a_working_credential_and_the_code_is_shown_once(
    client: TestClient, container: Container, admin: Caller
) -> None:
    participant_id = approved(client, container, admin)

    read = expect.ok(client.simulate_get(path(participant_id), headers=admin.headers))
    first = client.simulate_post(path(participant_id, "code"), headers=admin.headers)
    again = client.simulate_post(path(participant_id, "code"), headers=admin.headers)

    assert read["state"] == "active"
    assert read["works"] is True
    assert read["eligible"] is True
    assert read["generation"] == 1
    assert "badge_code" not in read
    code = expect.ok(first)["badge_code"]
    assert badge_code.credential_id_of(code) is not None
    assert check(container, admin, code) is CodeCheck.VALID
    body = expect.problem(again, 409, "conflict")
    assert body["code"] == "badge-code-shown"
    assert "re-issue" in body["detail"]


def test_a_pending_participant_has_no_credential(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    participant_id = registered(client, admin, event_id)["id"]
    run_policy(container)

    expect.problem(
        client.simulate_get(path(participant_id), headers=admin.headers), 404, "not-found"
    )
    expect.problem(
        client.simulate_post(path(participant_id, "code"), headers=admin.headers), 404, "not-found"
    )


def test_a_reissue_answers_a_new_code_once_and_the_old_one_stops_working(
    client: TestClient, container: Container, admin: Caller
) -> None:
    participant_id = approved(client, container, admin)
    old = take_code(client, admin, participant_id)

    result = client.simulate_post(
        path(participant_id, "reissue"),
        headers={**admin.headers, "Idempotency-Key": "reissue-1"},
    )
    replay = client.simulate_post(
        path(participant_id, "reissue"),
        headers={**admin.headers, "Idempotency-Key": "reissue-1"},
    )

    new = expect.ok(result)["badge_code"]
    assert result.headers["ETag"] == '"2"'
    assert result.headers["Accredit-Position"].startswith("access:")
    assert new != old
    assert check(container, admin, new) is CodeCheck.VALID
    assert check(container, admin, old) is CodeCheck.SUPERSEDED
    assert badge_code.digest(old) != badge_code.digest(new)
    replayed = expect.ok(replay)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replayed["badge_code"] is None
    assert "re-issue" in replayed["replay_note"]
    assert replayed["generation"] == 2
    # The code issued first and never taken would be worthless: it is gone.
    expect.problem(
        client.simulate_post(path(participant_id, "code"), headers=admin.headers), 409, "conflict"
    )


def test_a_replayed_code_answer_withholds_the_code(
    client: TestClient, container: Container, admin: Caller
) -> None:
    participant_id = approved(client, container, admin)
    headers = {**admin.headers, "Idempotency-Key": "take-1"}

    first = expect.ok(client.simulate_post(path(participant_id, "code"), headers=headers))
    replay = client.simulate_post(path(participant_id, "code"), headers=headers)

    assert first["badge_code"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json["badge_code"] is None
    assert replay.json["replay_note"]


def test_suspend_resume_and_revoke_honour_if_match_and_answer_the_credential(
    client: TestClient, container: Container, admin: Caller
) -> None:
    participant_id = approved(client, container, admin)
    code = take_code(client, admin, participant_id)

    stale = client.simulate_post(
        path(participant_id, "suspend"), json={}, headers=with_etag(admin, '"7"')
    )
    suspended = client.simulate_post(
        path(participant_id, "suspend"),
        json={"reason": "badge reported lost"},
        headers=with_etag(admin, '"1"'),
    )

    expect.problem(stale, 412, "precondition-failed")
    body = expect.ok(suspended)
    assert body["state"] == "suspended"
    assert body["works"] is False
    assert body["reason"] == "badge reported lost"
    assert suspended.headers["ETag"] == '"2"'
    assert check(container, admin, code) is CodeCheck.SUSPENDED

    expect.ok(client.simulate_post(path(participant_id, "resume"), headers=admin.headers))
    assert check(container, admin, code) is CodeCheck.VALID
    revoked = expect.ok(client.simulate_post(path(participant_id, "revoke"), headers=admin.headers))
    assert revoked["state"] == "revoked"
    assert check(container, admin, code) is CodeCheck.REVOKED

    refused = client.simulate_post(path(participant_id, "resume"), headers=admin.headers)
    assert expect.problem(refused, 409, "conflict")["code"] == "credential-revoked"
    container.catch_up()
    read = expect.ok(client.simulate_get(path(participant_id), headers=admin.headers))
    assert (read["state"], read["works"], read["version"]) == ("revoked", False, 4)


def test_resuming_an_active_credential_or_suspending_twice_is_a_409(
    client: TestClient, container: Container, admin: Caller
) -> None:
    participant_id = approved(client, container, admin)

    resume = client.simulate_post(path(participant_id, "resume"), headers=admin.headers)
    expect.ok(client.simulate_post(path(participant_id, "suspend"), headers=admin.headers))
    twice = client.simulate_post(path(participant_id, "suspend"), headers=admin.headers)

    assert expect.problem(resume, 409, "conflict")["code"] == "credential-not-suspended"
    assert expect.problem(twice, 409, "conflict")["code"] == "credential-not-active"


def test_a_withdrawn_participants_credential_stops_working(
    client: TestClient, container: Container, admin: Caller
) -> None:
    participant_id = approved(client, container, admin)
    code = take_code(client, admin, participant_id)

    client.simulate_post(f"/v1/participants/{participant_id}/withdraw", headers=admin.headers)
    run_policy(container)

    read = expect.ok(client.simulate_get(path(participant_id), headers=admin.headers))
    assert (read["eligible"], read["works"], read["participant_status"]) == (
        False,
        False,
        "withdrawn",
    )
    assert check(container, admin, code) is CodeCheck.NOT_ELIGIBLE


@pytest.mark.parametrize(
    "body",
    [
        {"reason": 5},
        {"reason": "x" * 501},
        {"reason": "a\x00b"},
        {"unknown": "field"},
        [],
    ],
)
def test_a_bad_body_is_a_422_problem_never_a_500(
    client: TestClient, container: Container, admin: Caller, body: Any
) -> None:
    participant_id = approved(client, container, admin)

    for action in ("suspend", "resume", "revoke"):
        result = client.simulate_post(
            path(participant_id, action), json=body, headers=admin.headers
        )
        expect.problem(result, 422, "validation-failed")


def test_bad_list_parameters_and_malformed_ids_are_4xx_problems(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    container.catch_up()

    bad_state = client.simulate_get(
        f"/v1/events/{event_id}/credentials", params={"state": "lost"}, headers=admin.headers
    )
    bad_cursor = client.simulate_get(
        f"/v1/events/{event_id}/credentials", params={"cursor": "nope"}, headers=admin.headers
    )
    malformed = client.simulate_get("/v1/participants/not-a-uuid/credential", headers=admin.headers)
    unknown_event = client.simulate_get(f"/v1/events/{MISSING}/credentials", headers=admin.headers)
    no_credential = client.simulate_post(path(MISSING, "reissue"), headers=admin.headers)

    expect.problem(bad_state, 400, "invalid-parameter")
    expect.problem(bad_cursor, 400, "invalid-cursor")
    expect.problem(malformed, 404, "not-found")
    expect.problem(unknown_event, 404, "not-found")
    expect.problem(no_credential, 404, "not-found")


def test_an_events_credentials_are_listed_in_pages_and_filtered_by_state(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id = open_event(client, admin)["id"]
    ids = []
    for n in range(3):
        participant_id = registered(client, admin, event_id, email=f"p{n}@example.org")["id"]
        expect.ok(complete(client, admin, participant_id, "approval"))
        ids.append(participant_id)
    run_policy(container)
    expect.ok(client.simulate_post(path(ids[1], "suspend"), headers=admin.headers))
    container.catch_up()
    listing = f"/v1/events/{event_id}/credentials"

    first = expect.ok(client.simulate_get(listing, params={"limit": 2}, headers=admin.headers))
    rest = expect.ok(
        client.simulate_get(
            listing, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin.headers
        )
    )
    suspended = expect.ok(
        client.simulate_get(listing, params={"state": "suspended"}, headers=admin.headers)
    )

    seen = [c["participant_id"] for c in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(ids)
    assert rest["next_cursor"] is None
    assert [c["participant_id"] for c in suspended["items"]] == [ids[1]]


def test_another_tenants_participant_credential_and_event_are_404(
    client: TestClient, container: Container, admin: Caller, outsider: Caller
) -> None:
    participant_id = approved(client, container, admin)
    event_id = expect.ok(client.simulate_get(path(participant_id), headers=admin.headers))[
        "event_id"
    ]

    for action in ("", "code", "reissue", "suspend", "resume", "revoke"):
        if action:
            result = client.simulate_post(path(participant_id, action), headers=outsider.headers)
        else:
            result = client.simulate_get(path(participant_id), headers=outsider.headers)
        expect.problem(result, 404, "not-found")
    listing = client.simulate_get(f"/v1/events/{event_id}/credentials", headers=outsider.headers)
    expect.problem(listing, 404, "not-found")
    # The owner's code is still there to take: the outsider's attempt took nothing.
    assert take_code(client, admin, participant_id)


def test_credentials_need_their_permissions(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    participant_id = approved(client, container, admin)
    reader = issue_key(admin.tenant_id, ["credentials:read"])

    read = client.simulate_get(path(participant_id), headers=reader.headers)
    take = client.simulate_post(path(participant_id, "code"), headers=reader.headers)

    expect.ok(read)
    assert expect.problem(take, 403, "permission-denied")["permission"] == "credentials:manage"
