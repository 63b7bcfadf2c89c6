"""API keys over HTTP: issue, list, read, rotate, revoke."""

from __future__ import annotations

from typing import Any

from falcon.testing import TestClient

from domain.platform import key_secret
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, FakeClock, IssueKey

NEW_KEY = {"name": "Gate scanners", "permissions": ["check-in:scan", "tenant:read"]}


def issue(client: TestClient, caller: Caller, body: dict[str, Any] | None = None) -> Any:
    return expect.ok(
        client.simulate_post("/v1/api-keys", json=body or NEW_KEY, headers=caller.headers), 201
    )


def as_caller(issued: dict[str, Any], owner: Caller) -> Caller:
    return Caller(owner.tenant_id, issued["id"], issued["secret"])


def test_issuing_a_key_answers_201_with_its_location_etag_and_secret(
    client: TestClient, admin: Caller
) -> None:
    result = client.simulate_post("/v1/api-keys", json=NEW_KEY, headers=admin.headers)

    body = expect.ok(result, 201)
    assert result.headers["Location"] == f"/v1/api-keys/{body['id']}"
    assert result.headers["ETag"] == '"1"'
    assert result.headers["Accredit-Position"].startswith("platform:")
    assert body["name"] == "Gate scanners"
    assert body["permissions"] == ["check-in:scan", "tenant:read"]
    assert body["tier"] == "STANDARD"
    assert body["status"] == "active"
    assert body["version"] == 1


def test_an_issued_secret_has_the_acc_prefix_and_names_its_key(
    client: TestClient, admin: Caller
) -> None:
    body = issue(client, admin)

    assert body["secret"].startswith("acc_")
    assert str(key_secret.key_id_of(body["secret"])) == body["id"]


def test_an_issued_secret_authenticates_at_once(
    client: TestClient, container: Container, admin: Caller
) -> None:
    body = issue(client, admin)
    container.catch_up()

    result = client.simulate_get("/v1/tenant", headers=as_caller(body, admin).headers)

    assert expect.ok(result)["id"] == str(admin.tenant_id)


def test_the_secret_is_shown_once_and_never_by_a_read(
    client: TestClient, container: Container, admin: Caller
) -> None:
    body = issue(client, admin)
    container.catch_up()

    one = expect.ok(client.simulate_get(f"/v1/api-keys/{body['id']}", headers=admin.headers))
    page = expect.ok(client.simulate_get("/v1/api-keys", headers=admin.headers))

    assert "secret" not in one
    assert all("secret" not in item for item in page["items"])
    assert body["secret"] not in str(one) + str(page)


def test_reading_a_key_answers_its_document_and_etag(
    client: TestClient, container: Container, admin: Caller
) -> None:
    body = issue(client, admin)
    container.catch_up()

    result = client.simulate_get(f"/v1/api-keys/{body['id']}", headers=admin.headers)

    read = expect.ok(result)
    assert result.headers["ETag"] == '"1"'
    assert {k: read[k] for k in ("id", "name", "permissions", "tier", "status", "version")} == {
        k: body[k] for k in ("id", "name", "permissions", "tier", "status", "version")
    }


def test_reading_a_key_shows_when_it_was_last_used(
    client: TestClient, container: Container, admin: Caller
) -> None:
    client.simulate_get("/v1/tenant", headers=admin.headers)
    container.usage.flush()

    read = expect.ok(client.simulate_get(f"/v1/api-keys/{admin.key_id}", headers=admin.headers))

    assert read["last_used_at"] is not None


def test_reading_an_unknown_key_is_a_404_problem(client: TestClient, admin: Caller) -> None:
    result = client.simulate_get(
        "/v1/api-keys/00000000-0000-4000-8000-000000000000", headers=admin.headers
    )

    expect.problem(result, 404, "not-found")


def test_a_key_id_that_is_not_a_uuid_is_a_404_problem(client: TestClient, admin: Caller) -> None:
    expect.problem(
        client.simulate_get("/v1/api-keys/not-a-uuid", headers=admin.headers), 404, "not-found"
    )


def test_listing_pages_through_every_key_once_oldest_first(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    for number in range(6):
        issue_key(admin.tenant_id, name=f"key {number}")
    container.catch_up()

    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    pages = 0
    while True:
        page = expect.ok(client.simulate_get("/v1/api-keys", params=params, headers=admin.headers))
        pages += 1
        assert len(page["items"]) <= 3
        seen += [item["name"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 3, "cursor": page["next_cursor"]}

    assert seen == ["test key"] + [f"key {n}" for n in range(6)]
    assert pages == 3


def test_a_last_page_that_ends_the_list_has_no_next_cursor(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    other = issue_key(admin.tenant_id)
    container.catch_up()

    first = expect.ok(client.simulate_get("/v1/api-keys?limit=1", headers=admin.headers))
    cursor = first["next_cursor"]
    second = expect.ok(
        client.simulate_get(
            "/v1/api-keys", params={"limit": 1, "cursor": cursor}, headers=admin.headers
        )
    )

    assert [i["id"] for i in first["items"] + second["items"]] == [
        str(admin.key_id),
        str(other.key_id),
    ]
    assert second["next_cursor"] is None


def test_the_default_page_holds_every_key_of_a_small_tenant(
    client: TestClient, admin: Caller
) -> None:
    page = expect.ok(client.simulate_get("/v1/api-keys", headers=admin.headers))

    assert [item["id"] for item in page["items"]] == [str(admin.key_id)]
    assert page["next_cursor"] is None


def test_issuing_with_a_tier_and_an_expiry_keeps_them(
    client: TestClient, admin: Caller, clock: FakeClock
) -> None:
    expiry = (clock.now.replace(year=2031)).isoformat()
    body = issue(client, admin, {**NEW_KEY, "tier": "PREMIUM", "expires_at": expiry})

    assert body["tier"] == "PREMIUM"
    assert body["expires_at"] == expiry


def test_rotating_gives_a_new_secret_and_the_old_one_works_during_the_grace(
    client: TestClient, container: Container, admin: Caller, clock: FakeClock
) -> None:
    key = as_caller(issue(client, admin), admin)

    result = client.simulate_post(
        f"/v1/api-keys/{key.key_id}/rotate", json={"grace_seconds": 600}, headers=admin.headers
    )

    rotated = expect.ok(result)
    new = Caller(admin.tenant_id, key.key_id, rotated["secret"])
    assert rotated["id"] == str(key.key_id)
    assert rotated["secret"].startswith("acc_")
    assert rotated["secret"] != key.secret
    assert rotated["version"] == 2
    assert rotated["previous_secret_valid_until"] == (clock.now.replace(minute=10).isoformat())
    assert result.headers["ETag"] == '"2"'
    clock.advance(seconds=599)
    container.catch_up()
    expect.ok(client.simulate_get("/v1/tenant", headers=key.headers))
    expect.ok(client.simulate_get("/v1/tenant", headers=new.headers))


def test_after_the_grace_only_the_new_secret_works(
    client: TestClient, admin: Caller, clock: FakeClock
) -> None:
    key = as_caller(issue(client, admin), admin)
    rotated = expect.ok(
        client.simulate_post(
            f"/v1/api-keys/{key.key_id}/rotate", json={"grace_seconds": 60}, headers=admin.headers
        )
    )

    clock.advance(seconds=60)

    expect.problem(client.simulate_get("/v1/tenant", headers=key.headers), 401, "unauthenticated")
    new = Caller(admin.tenant_id, key.key_id, rotated["secret"])
    assert client.simulate_get("/v1/tenant", headers=new.headers).status_code == 200


def test_rotating_with_no_grace_stops_the_old_secret_at_once(
    client: TestClient, admin: Caller, clock: FakeClock
) -> None:
    key = as_caller(issue(client, admin), admin)

    expect.ok(
        client.simulate_post(
            f"/v1/api-keys/{key.key_id}/rotate", json={"grace_seconds": 0}, headers=admin.headers
        )
    )

    expect.problem(client.simulate_get("/v1/tenant", headers=key.headers), 401, "unauthenticated")


def test_rotating_without_a_body_uses_a_one_day_grace(
    client: TestClient, admin: Caller, clock: FakeClock
) -> None:
    result = client.simulate_post(f"/v1/api-keys/{admin.key_id}/rotate", headers=admin.headers)

    assert expect.ok(result)["previous_secret_valid_until"] == clock.now.replace(day=2).isoformat()


def test_a_grace_written_as_a_whole_float_is_taken_as_that_number(
    client: TestClient, admin: Caller, clock: FakeClock
) -> None:
    result = client.simulate_post(
        f"/v1/api-keys/{admin.key_id}/rotate", json={"grace_seconds": 60.0}, headers=admin.headers
    )

    assert (
        expect.ok(result)["previous_secret_valid_until"] == clock.now.replace(minute=1).isoformat()
    )


def test_a_grace_longer_than_thirty_days_is_a_field_error(
    client: TestClient, admin: Caller
) -> None:
    result = client.simulate_post(
        f"/v1/api-keys/{admin.key_id}/rotate",
        json={"grace_seconds": 31 * 86400},
        headers=admin.headers,
    )

    body = expect.problem(result, 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["grace_seconds"]


def test_the_rotation_shows_in_the_key_document(
    client: TestClient, container: Container, admin: Caller
) -> None:
    key = as_caller(issue(client, admin), admin)
    client.simulate_post(f"/v1/api-keys/{key.key_id}/rotate", headers=admin.headers)
    container.catch_up()

    read = expect.ok(client.simulate_get(f"/v1/api-keys/{key.key_id}", headers=admin.headers))

    assert read["rotated_at"] is not None
    assert read["version"] == 2


def test_revoking_stops_the_secret_at_once(client: TestClient, admin: Caller) -> None:
    key = as_caller(issue(client, admin), admin)

    result = client.simulate_post(f"/v1/api-keys/{key.key_id}/revoke", headers=admin.headers)

    body = expect.ok(result)
    assert body["status"] == "revoked"
    assert body["revoked_at"] is not None
    assert result.headers["ETag"] == '"2"'
    assert result.headers["Accredit-Position"].startswith("platform:")
    expect.problem(client.simulate_get("/v1/tenant", headers=key.headers), 401, "unauthenticated")


def test_revoking_stops_a_secret_still_in_its_grace(
    client: TestClient, admin: Caller, clock: FakeClock
) -> None:
    key = as_caller(issue(client, admin), admin)
    client.simulate_post(f"/v1/api-keys/{key.key_id}/rotate", headers=admin.headers)

    client.simulate_post(f"/v1/api-keys/{key.key_id}/revoke", headers=admin.headers)

    expect.problem(client.simulate_get("/v1/tenant", headers=key.headers), 401, "unauthenticated")


def test_a_revoked_key_is_listed_as_revoked(
    client: TestClient, container: Container, admin: Caller
) -> None:
    key = as_caller(issue(client, admin), admin)
    client.simulate_post(f"/v1/api-keys/{key.key_id}/revoke", headers=admin.headers)
    container.catch_up()

    page = expect.ok(client.simulate_get("/v1/api-keys", headers=admin.headers))

    statuses = {item["id"]: item["status"] for item in page["items"]}
    assert statuses == {str(admin.key_id): "active", str(key.key_id): "revoked"}


def test_revoking_twice_is_harmless(client: TestClient, admin: Caller) -> None:
    key = as_caller(issue(client, admin), admin)
    client.simulate_post(f"/v1/api-keys/{key.key_id}/revoke", headers=admin.headers)

    again = client.simulate_post(f"/v1/api-keys/{key.key_id}/revoke", headers=admin.headers)

    assert expect.ok(again)["version"] == 2


def test_rotating_a_revoked_key_is_a_409_conflict(client: TestClient, admin: Caller) -> None:
    key = as_caller(issue(client, admin), admin)
    client.simulate_post(f"/v1/api-keys/{key.key_id}/revoke", headers=admin.headers)

    result = client.simulate_post(f"/v1/api-keys/{key.key_id}/rotate", headers=admin.headers)

    assert expect.problem(result, 409, "conflict")["code"] == "api-key-revoked"


def test_revoking_a_body_with_fields_is_a_field_error(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post(
        f"/v1/api-keys/{admin.key_id}/revoke", json={"reason": "leaked"}, headers=admin.headers
    )

    body = expect.problem(result, 422, "validation-failed")
    assert body["errors"] == [{"field": "reason", "message": "Unknown field."}]
