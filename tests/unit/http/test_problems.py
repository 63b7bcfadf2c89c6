"""Every error is an RFC 9457 problem with a stable type; bad input never gets a 500."""

from __future__ import annotations

import base64
import json

import pytest
from falcon.testing import TestClient

from entrypoints.http.requests import MAX_BODY_BYTES
from tests.unit.http import expect
from tests.unit.http.conftest import Caller


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    expect.problem(client.simulate_get("/v1/nothing-here"), 404, "not-found")


def test_an_unknown_route_is_a_404_even_with_a_key(client: TestClient, admin: Caller) -> None:
    expect.problem(client.simulate_get("/v1/nothing-here", headers=admin.headers), 404, "not-found")


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/v1/tenant"), ("PUT", "/v1/api-keys"), ("GET", "/v1/api-keys/{key}/revoke")],
)
def test_a_wrong_method_is_a_405_problem_with_allow(
    client: TestClient, admin: Caller, method: str, path: str
) -> None:
    result = client.simulate_request(method, path.format(key=admin.key_id), headers=admin.headers)

    expect.problem(result, 405, "method-not-allowed")
    assert "Allow" in result.headers


def test_malformed_json_is_a_400_problem(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        body='{"name": "x", ',
        headers={**admin.headers, "Content-Type": "application/json"},
    )

    expect.problem(result, 400, "invalid-json")


def test_json_nested_too_deeply_to_parse_is_a_400_problem(
    client: TestClient, admin: Caller
) -> None:
    deep = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    result = client.simulate_post(
        "/v1/events",
        body=deep,
        headers={**admin.headers, "Content-Type": "application/json"},
    )

    expect.problem(result, 400, "invalid-json")
    assert "nested too deeply" in result.json["detail"]


def test_a_body_that_is_not_utf8_is_a_400_problem(client: TestClient, admin: Caller) -> None:
    result = client.simulate_patch(
        "/v1/tenant",
        body=b'{"name": "\xff"}',
        headers={**admin.headers, "Content-Type": "application/json"},
    )

    expect.problem(result, 400, "invalid-json")


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "\\ud800"}',
        '{"name": "a\\udfffb"}',
        '{"grace_seconds": NaN}',
        '{"grace_seconds": Infinity}',
        '{"grace_seconds": -Infinity}',
    ],
)
def test_json_that_python_accepts_but_the_standard_forbids_is_a_400_problem(
    client: TestClient, admin: Caller, text: str
) -> None:
    path = "/v1/tenant" if "name" in text else f"/v1/api-keys/{admin.key_id}/rotate"
    method = "PATCH" if "name" in text else "POST"

    result = client.simulate_request(
        method, path, body=text, headers={**admin.headers, "Content-Type": "application/json"}
    )

    expect.problem(result, 400, "invalid-json")


def test_a_body_that_is_not_an_object_is_a_422_problem(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post("/v1/api-keys", json=["a", "list"], headers=admin.headers)

    body = expect.problem(result, 422, "validation-failed")
    assert body["errors"] == [{"field": "body", "message": "must be a JSON object"}]


def test_schema_errors_are_a_422_problem_with_one_error_per_field(
    client: TestClient, admin: Caller
) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        json={"name": "", "permissions": ["fly"], "tier": "GOLD", "expires_at": "soon"},
        headers=admin.headers,
    )

    body = expect.problem(result, 422, "validation-failed")
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == ["expires_at", "name", "permissions.0", "tier"]
    assert all(isinstance(e["message"], str) and e["message"] for e in body["errors"])


def test_a_missing_required_field_is_named(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post("/v1/api-keys", json={"name": "x"}, headers=admin.headers)

    body = expect.problem(result, 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["permissions"]


def test_an_empty_body_on_a_command_with_required_fields_is_a_422(
    client: TestClient, admin: Caller
) -> None:
    result = client.simulate_post("/v1/api-keys", headers=admin.headers)

    body = expect.problem(result, 422, "validation-failed")
    assert sorted(e["field"] for e in body["errors"]) == ["name", "permissions"]


def test_unknown_fields_are_a_422_problem_naming_them(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        json={"name": "x", "permissions": ["ADMIN"], "colour": "blue"},
        headers=admin.headers,
    )

    body = expect.problem(result, 422, "validation-failed")
    assert body["errors"] == [{"field": "colour", "message": "Unknown field."}]


def test_a_blank_name_refused_by_the_domain_is_a_422_field_error(
    client: TestClient, admin: Caller
) -> None:
    result = client.simulate_patch("/v1/tenant", json={"name": "   "}, headers=admin.headers)

    body = expect.problem(result, 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["name"]


@pytest.mark.parametrize("name", ["nul\u0000byte", "two\nlines", "tab\there", "line end\n"])
def test_a_name_with_control_characters_is_a_422_field_error(
    client: TestClient, admin: Caller, name: str
) -> None:
    renamed = client.simulate_patch("/v1/tenant", json={"name": name}, headers=admin.headers)
    issued = client.simulate_post(
        "/v1/api-keys", json={"name": name, "permissions": ["ADMIN"]}, headers=admin.headers
    )

    for result in (renamed, issued):
        body = expect.problem(result, 422, "validation-failed")
        assert [e["field"] for e in body["errors"]] == ["name"]


def test_an_expiry_in_the_past_is_a_422_field_error(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        json={"name": "x", "permissions": ["ADMIN"], "expires_at": "2001-01-01T00:00:00+00:00"},
        headers=admin.headers,
    )

    body = expect.problem(result, 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["expires_at"]


@pytest.mark.parametrize("value", [1.5, "60", True, None])
def test_a_grace_that_is_not_a_whole_number_is_a_422(
    client: TestClient, admin: Caller, value: object
) -> None:
    result = client.simulate_post(
        f"/v1/api-keys/{admin.key_id}/rotate", json={"grace_seconds": value}, headers=admin.headers
    )

    body = expect.problem(result, 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["grace_seconds"]


def test_a_body_that_is_not_json_is_a_415_problem(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        body="name=x",
        headers={**admin.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )

    expect.problem(result, 415, "unsupported-media-type")


def test_a_too_large_body_is_a_413_problem(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        body="x" * (MAX_BODY_BYTES + 1),
        headers={**admin.headers, "Content-Type": "application/json"},
    )

    expect.problem(result, 413, "payload-too-large")


def test_a_too_large_body_is_refused_before_authentication(client: TestClient) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        body="x" * (MAX_BODY_BYTES + 1),
        headers={"Content-Type": "application/json"},
    )

    expect.problem(result, 413, "payload-too-large")


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "WyJ4Il0", "WzEsMl0", "WyJ4IiwieSJd"])
def test_a_cursor_not_handed_out_by_the_service_is_a_400_problem(
    client: TestClient, admin: Caller, cursor: str
) -> None:
    result = client.simulate_get("/v1/api-keys", params={"cursor": cursor}, headers=admin.headers)

    expect.problem(result, 400, "invalid-cursor")


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00"])
def test_a_forged_cursor_with_an_out_of_range_time_is_a_400_problem(
    client: TestClient, admin: Caller, moment: str
) -> None:
    raw = json.dumps([moment, "00000000-0000-0000-0000-000000000000"]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")

    result = client.simulate_get("/v1/api-keys", params={"cursor": cursor}, headers=admin.headers)

    expect.problem(result, 400, "invalid-cursor")


@pytest.mark.parametrize(
    "limit", ["0", "201", "-1", "ten", "1.5", "1_0", " 5", "\u0663", "\u00b2", "9" * 5000]
)
def test_a_limit_outside_1_to_200_is_a_400_problem(
    client: TestClient, admin: Caller, limit: str
) -> None:
    result = client.simulate_get("/v1/api-keys", params={"limit": limit}, headers=admin.headers)

    expect.problem(result, 400, "invalid-parameter")


@pytest.mark.parametrize(
    "position",
    ["", "42", "platform:", ":42", "platform:x", "platform:-1", "platform:\u00b2", " platform:1"],
)
def test_a_malformed_min_position_is_a_400_problem(
    client: TestClient, admin: Caller, position: str
) -> None:
    result = client.simulate_get(
        "/v1/tenant", params={"min_position": position}, headers=admin.headers
    )

    expect.problem(result, 400, "invalid-parameter")


def test_a_problem_is_json_whatever_the_accept_header(client: TestClient) -> None:
    result = client.simulate_get("/v1/tenant", headers={"Accept": "text/html"})

    expect.problem(result, 401, "unauthenticated")


def test_a_problem_carries_no_stack_trace(client: TestClient, admin: Caller) -> None:
    result = client.simulate_post(
        "/v1/api-keys",
        body="{",
        headers={**admin.headers, "Content-Type": "application/json"},
    )

    assert "Traceback" not in result.text
    assert 'File "' not in result.text


def test_a_problem_names_the_request_it_refuses_as_its_instance(
    client: TestClient, admin: Caller
) -> None:
    missing = "/v1/participants/00000000-0000-4000-8000-000000000000"

    body = expect.problem(client.simulate_get(missing, headers=admin.headers), 404, "not-found")

    assert body["instance"] == missing


def test_the_instance_of_an_odd_path_is_still_a_uri_reference(client: TestClient) -> None:
    body = expect.problem(client.simulate_get("/v1/no where/é"), 404, "not-found")

    assert body["instance"] == "/v1/no%20where/%C3%A9"
