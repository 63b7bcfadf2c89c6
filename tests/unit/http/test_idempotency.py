"""Idempotency-Key on POST: a retry gets the stored answer and causes no second effect."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from falcon.testing import Result, TestClient
from sqlalchemy import select

from adapters.service.idempotency import idempotency_keys
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller

BODY = {"name": "Once only", "permissions": ["tenant:read"]}
EXPO = {
    "name": "Expo 2030",
    "starts_at": "2030-06-01T09:00:00+02:00",
    "ends_at": "2030-06-03T18:00:00+02:00",
    "time_zone": "Europe/Paris",
}
SHOWN_ONCE_NOTE = (
    "the secret was shown once, in the first answer to this request; rotate the key for a new one"
)


def post(
    client: TestClient, caller: Caller, key: str, body: Any = BODY, path: str = "/v1/api-keys"
) -> Result:
    return client.simulate_post(path, json=body, headers={**caller.headers, "Idempotency-Key": key})


def key_names(client: TestClient, container: Container, caller: Caller) -> list[str]:
    container.catch_up()
    page = expect.ok(client.simulate_get("/v1/api-keys", headers=caller.headers))
    return [item["name"] for item in page["items"]]


def stored_bytes(container: Container) -> bytes:
    """Every byte the idempotency table holds, as the database has them."""
    with container.service_engine.connect() as conn:
        rows = conn.execute(select(idempotency_keys)).all()
    return b"".join(repr(tuple(row)).encode() + (row.body or b"") for row in rows)


def test_a_retry_replays_the_first_answer_exactly(client: TestClient, admin: Caller) -> None:
    first = post(client, admin, "retry-1", EXPO, "/v1/events")

    again = post(client, admin, "retry-1", EXPO, "/v1/events")

    assert (again.status_code, again.content) == (first.status_code, first.content)
    for header in ("Location", "ETag", "Accredit-Position", "Content-Type"):
        assert again.headers[header] == first.headers[header]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers


def test_a_retry_issues_no_second_key(
    client: TestClient, container: Container, admin: Caller
) -> None:
    post(client, admin, "retry-2")
    post(client, admin, "retry-2")
    post(client, admin, "retry-2")

    assert key_names(client, container, admin).count("Once only") == 1


def test_without_a_key_each_post_is_a_new_command(
    client: TestClient, container: Container, admin: Caller
) -> None:
    client.simulate_post("/v1/api-keys", json=BODY, headers=admin.headers)
    client.simulate_post("/v1/api-keys", json=BODY, headers=admin.headers)

    assert key_names(client, container, admin).count("Once only") == 2


def test_different_keys_are_different_commands(
    client: TestClient, container: Container, admin: Caller
) -> None:
    post(client, admin, "a")
    post(client, admin, "b")

    assert key_names(client, container, admin).count("Once only") == 2


def test_reusing_a_key_with_another_body_is_a_422(
    client: TestClient, container: Container, admin: Caller
) -> None:
    post(client, admin, "reused")

    result = post(client, admin, "reused", {**BODY, "name": "Something else"})

    expect.problem(result, 422, "idempotency-key-reused")
    assert "Something else" not in key_names(client, container, admin)


def test_reusing_a_key_on_another_path_is_a_422(client: TestClient, admin: Caller) -> None:
    post(client, admin, "reused", {})

    result = post(client, admin, "reused", {}, f"/v1/api-keys/{admin.key_id}/revoke")

    expect.problem(result, 422, "idempotency-key-reused")


def test_a_duplicate_while_the_first_is_running_is_a_409_with_retry_after(
    client: TestClient, container: Container, admin: Caller
) -> None:
    body = b'{"name": "Once only", "permissions": ["tenant:read"]}'
    fingerprint = hashlib.sha256(b"\n".join([b"POST", b"/v1/api-keys", body])).hexdigest()
    container.idempotency.claim(str(admin.key_id), "running", fingerprint)

    result = client.simulate_post(
        "/v1/api-keys",
        body=body,
        headers={**admin.headers, "Idempotency-Key": "running", "Content-Type": "application/json"},
    )

    expect.problem(result, 409, "idempotency-key-in-use")
    assert result.headers["Retry-After"] == "1"


def test_a_failed_validation_is_replayed_too(client: TestClient, admin: Caller) -> None:
    first = post(client, admin, "bad", {"name": "x"})

    again = post(client, admin, "bad", {"name": "x"})

    expect.problem(first, 422, "validation-failed")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Content-Type"] == "application/problem+json"


def test_a_replay_of_an_issue_withholds_the_secret_and_says_so(
    client: TestClient, admin: Caller
) -> None:
    first = post(client, admin, "issue-once")

    again = post(client, admin, "issue-once")

    issued, replayed = expect.ok(first, 201), expect.ok(again, 201)
    assert issued["secret"].startswith("acc_")
    assert "replay_note" not in issued
    assert replayed == {**issued, "secret": None, "replay_note": SHOWN_ONCE_NOTE}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]


def test_an_issued_secret_is_never_in_the_idempotency_table(
    client: TestClient, container: Container, admin: Caller
) -> None:
    issued = expect.ok(post(client, admin, "issue-kept"), 201)
    post(client, admin, "issue-kept")

    kept = stored_bytes(container)
    assert issued["id"].encode() in kept
    assert issued["secret"].encode() not in kept


def test_a_replay_of_a_rotation_withholds_the_new_secret_and_rotates_once(
    client: TestClient, container: Container, admin: Caller
) -> None:
    path = f"/v1/api-keys/{admin.key_id}/rotate"
    first = expect.ok(post(client, admin, "rotate-once", {"grace_seconds": 60}, path))

    again = expect.ok(post(client, admin, "rotate-once", {"grace_seconds": 60}, path))

    assert again == {**first, "secret": None, "replay_note": SHOWN_ONCE_NOTE}
    assert first["version"] == 2
    assert first["secret"].encode() not in stored_bytes(container)


def test_an_unauthenticated_post_claims_nothing(client: TestClient, admin: Caller) -> None:
    client.simulate_post("/v1/api-keys", json=BODY, headers={"Idempotency-Key": "anon"})

    result = post(client, admin, "anon")

    assert "Idempotent-Replayed" not in result.headers
    expect.ok(result, 201)


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "caf\u00e9"])
def test_an_idempotency_key_that_is_not_1_to_255_visible_ascii_characters_is_a_400(
    client: TestClient, admin: Caller, key: str
) -> None:
    expect.problem(post(client, admin, key), 400, "bad-request")


def test_the_longest_allowed_idempotency_key_works(client: TestClient, admin: Caller) -> None:
    key = "k" * 255

    post(client, admin, key)

    assert post(client, admin, key).headers["Idempotent-Replayed"] == "true"
