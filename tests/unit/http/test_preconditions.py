"""ETag is the aggregate version; commands honour If-Match with 412 on a mismatch."""

from __future__ import annotations

import pytest
from falcon.testing import TestClient

from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller


def test_reading_the_tenant_gives_its_version_as_etag(client: TestClient, admin: Caller) -> None:
    result = client.simulate_get("/v1/tenant", headers=admin.headers)

    assert result.headers["ETag"] == f'"{expect.ok(result)["version"]}"'


def test_renaming_with_the_current_etag_succeeds_and_answers_the_next_one(
    client: TestClient, admin: Caller
) -> None:
    etag = client.simulate_get("/v1/tenant", headers=admin.headers).headers["ETag"]

    result = client.simulate_patch(
        "/v1/tenant", json={"name": "Acme Live"}, headers={**admin.headers, "If-Match": etag}
    )

    body = expect.ok(result)
    assert body["name"] == "Acme Live"
    assert result.headers["ETag"] == f'"{body["version"]}"' != etag
    assert result.headers["Accredit-Position"].startswith("platform:")


def test_renaming_with_a_stale_etag_is_a_412_and_changes_nothing(
    client: TestClient, container: Container, admin: Caller
) -> None:
    stale = client.simulate_get("/v1/tenant", headers=admin.headers).headers["ETag"]
    client.simulate_patch("/v1/tenant", json={"name": "First"}, headers=admin.headers)

    result = client.simulate_patch(
        "/v1/tenant", json={"name": "Second"}, headers={**admin.headers, "If-Match": stale}
    )

    expect.problem(result, 412, "precondition-failed")
    container.catch_up()
    assert expect.ok(client.simulate_get("/v1/tenant", headers=admin.headers))["name"] == "First"


@pytest.mark.parametrize("header", ['W/"1"', "1", "*"])
def test_weak_unquoted_and_star_etags_are_understood(
    client: TestClient, admin: Caller, header: str
) -> None:
    result = client.simulate_patch(
        "/v1/tenant", json={"name": "Acme Two"}, headers={**admin.headers, "If-Match": header}
    )

    expect.ok(result)


@pytest.mark.parametrize("header", ['"abc"', '""', '"-1"', '"\u00b2"', '"1e3"', 'W/"x"'])
def test_an_etag_this_service_never_handed_out_is_a_412(
    client: TestClient, admin: Caller, header: str
) -> None:
    result = client.simulate_patch(
        "/v1/tenant", json={"name": "Acme Two"}, headers={**admin.headers, "If-Match": header}
    )

    expect.problem(result, 412, "precondition-failed")


@pytest.mark.parametrize("header", ["", "abc", '"1", "2"', '"1', "W/1", "1.0"])
def test_an_if_match_that_is_not_one_etag_is_a_400(
    client: TestClient, admin: Caller, header: str
) -> None:
    result = client.simulate_patch(
        "/v1/tenant", json={"name": "Acme Two"}, headers={**admin.headers, "If-Match": header}
    )

    expect.problem(result, 400, "bad-request")


def test_without_if_match_the_last_writer_wins(client: TestClient, admin: Caller) -> None:
    client.simulate_patch("/v1/tenant", json={"name": "One"}, headers=admin.headers)

    result = client.simulate_patch("/v1/tenant", json={"name": "Two"}, headers=admin.headers)

    assert expect.ok(result)["name"] == "Two"


@pytest.mark.parametrize("action", ["rotate", "revoke"])
def test_key_commands_refuse_a_stale_etag_with_412(
    client: TestClient, admin: Caller, action: str
) -> None:
    path = f"/v1/api-keys/{admin.key_id}/{action}"

    result = client.simulate_post(path, headers={**admin.headers, "If-Match": '"7"'})

    body = expect.problem(result, 412, "precondition-failed")
    assert "version 1" in body["detail"]


@pytest.mark.parametrize("action", ["rotate", "revoke"])
def test_key_commands_succeed_with_the_etag_read_from_the_key(
    client: TestClient, admin: Caller, action: str
) -> None:
    etag = client.simulate_get(f"/v1/api-keys/{admin.key_id}", headers=admin.headers).headers[
        "ETag"
    ]

    result = client.simulate_post(
        f"/v1/api-keys/{admin.key_id}/{action}", headers={**admin.headers, "If-Match": etag}
    )

    expect.ok(result)
    assert result.headers["ETag"] == '"2"'


def test_a_second_rotation_with_the_first_etag_is_a_412(client: TestClient, admin: Caller) -> None:
    path = f"/v1/api-keys/{admin.key_id}/rotate"
    first = client.simulate_post(path, headers={**admin.headers, "If-Match": '"1"'})
    expect.ok(first)

    second = client.simulate_post(path, headers={**admin.headers, "If-Match": '"1"'})

    expect.problem(second, 412, "precondition-failed")
