"""The OpenAPI document: every route, unique ids, examples that hold, and honest headers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import falcon
import jsonschema_rs
import pytest
import schemathesis
from falcon import inspect
from falcon.testing import TestClient
from marshmallow import Schema, fields

from entrypoints.http.app import create_app
from entrypoints.http.openapi.document import build_spec
from entrypoints.http.problems import PROBLEM_TYPES
from entrypoints.http.responders import Operation
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller
from tests.unit.http.world import one_of_everything

METHODS = {"get", "post", "put", "patch", "delete"}
PROBLEM_MEMBERS = {
    *("type", "title", "status", "detail", "instance", "errors"),
    *("code", "participant_id", "feature", "permission", "checks", "projection", "version"),
}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    return expect.ok(client.simulate_get("/v1/openapi.json"))  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            yield path, method, op


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The node, or what its $ref names in the document."""
    while "$ref" in node:
        found: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def responses(document: dict[str, Any], op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {code: resolve(document, answer) for code, answer in op["responses"].items()}


def headers(document: dict[str, Any], answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: resolve(document, h) for name, h in answer.get("headers", {}).items()}


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """Validates against the schema, resolving its references within the document."""
    return jsonschema_rs.validator_for(
        {**schema, "components": document["components"]}, validate_formats=True
    )


def test_the_document_is_a_valid_openapi_3_1_document(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(document).validate()


def test_the_document_names_its_server_and_licence(document: dict[str, Any]) -> None:
    assert document["servers"] == [
        {"url": "/", "description": "The server that serves this document"}
    ]
    assert document["info"]["license"]["name"]


def test_the_document_describes_every_route_and_method_the_app_serves(
    container: Container, document: dict[str, Any]
) -> None:
    served = {
        (route.path.replace(":uuid", ""), method.method.lower())
        for route in inspect.inspect_routes(create_app(container))
        for method in route.methods
        if not method.internal and method.method.lower() in METHODS
    }
    documented = {(path, method) for path, method, _ in operations(document)}

    assert documented == served


def test_operations_have_unique_declared_camel_case_ids(document: dict[str, Any]) -> None:
    ids = {(method, path): op["operationId"] for path, method, op in operations(document)}

    assert len(set(ids.values())) == len(ids)
    assert ids["post", "/v1/events/{event_id}/participants"] == "registerParticipant"
    assert ids["get", "/v1/api-keys"] == "listApiKeys"
    assert ids["post", "/v1/events/{event_id}/open-registration"] == "openRegistration"
    assert ids["post", "/v1/events/{event_id}/close-registration"] == "closeRegistration"
    assert all(i[0].islower() and i.isalnum() for i in ids.values())


class _Twin:
    operations: ClassVar[dict[str, Operation]] = {
        "GET": Operation("One of two", public=True, operation_id="readTwin")
    }


def test_two_operations_with_one_id_are_a_wiring_error() -> None:
    with pytest.raises(ValueError, match="readTwin"):
        build_spec([("/twins/a", _Twin), ("/twins/b", _Twin)], {})


def test_an_operation_id_that_is_not_camel_case_is_a_wiring_error() -> None:
    class Snake:
        operations: ClassVar[dict[str, Operation]] = {
            "GET": Operation("Snake", public=True, operation_id="get_snake")
        }

    with pytest.raises(ValueError, match="get_snake"):
        build_spec([("/snake", Snake)], {})


def test_a_member_shown_once_that_its_schema_does_not_allow_as_null_is_a_wiring_error() -> None:
    class Strict(Schema):
        token = fields.String(required=True)

    class Issue:
        operations: ClassVar[dict[str, Operation]] = {
            "POST": Operation(
                "Issue a token",
                response=Strict,
                shown_once=("token",),
                replay_note="the token was shown once",
                operation_id="issueToken",
            )
        }

    with pytest.raises(ValueError, match="issueToken"):
        build_spec([("/tokens", Issue)], {})


def test_a_member_shown_once_needs_a_note_for_its_replays() -> None:
    with pytest.raises(ValueError, match="issueToken"):
        Operation("Issue a token", shown_once=("token",), operation_id="issueToken")


def test_the_secrets_shown_once_are_nullable_and_their_replays_note_is_documented(
    document: dict[str, Any],
) -> None:
    for name in ("ApiKeyIssued", "ApiKeyRotated"):
        schema = document["components"]["schemas"][name]
        assert schema["properties"]["secret"]["type"] == ["string", "null"]
        assert "secret" in schema["required"]
        assert "replay_note" not in schema["required"]
        assert "Idempotent-Replayed" in schema["properties"]["replay_note"]["description"]


def test_every_error_answer_is_a_problem_with_an_example_of_each_type_it_can_be(
    document: dict[str, Any],
) -> None:
    for path, method, op in operations(document):
        errors = {c: a for c, a in responses(document, op).items() if c.startswith(("4", "5"))}
        assert {"400", "500"} <= set(errors), f"{method} {path}"
        for code, answer in errors.items():
            (content,) = answer["content"].values()
            assert list(answer["content"]) == ["application/problem+json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
            for slug, example in content["examples"].items():
                assert PROBLEM_TYPES[slug][0] == int(code), f"{method} {path} {code} {slug}"
                assert resolve(document, example)["value"]["type"] == f"/problems/{slug}"


def test_every_problem_type_is_documented(document: dict[str, Any]) -> None:
    examples = document["components"]["examples"]
    kinds = document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]

    for slug, (status, title) in PROBLEM_TYPES.items():
        assert examples[slug]["value"]["status"] == status
        assert examples[slug]["value"]["title"] == title
        assert f"/problems/{slug}" in kinds
        assert (
            f"| [`/problems/{slug}`](/problems/{slug}) | {status} | {title} |"
            in (document["info"]["description"])
        )


def test_the_problem_schema_has_every_member_answers_carry(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]

    assert set(problem["properties"]) == PROBLEM_MEMBERS
    assert set(problem["required"]) == {"type", "title", "status"}
    assert all(p.get("description") for p in problem["properties"].values())


def test_every_example_holds_to_its_schema(document: dict[str, Any]) -> None:
    checked = 0
    for path, method, op in operations(document):
        bodies = [op.get("requestBody", {}).get("content", {}).get("application/json")]
        bodies += [r.get("content", {}).get("application/json") for r in op["responses"].values()]
        for body in filter(None, bodies):
            if "example" in body:
                errors = list(validator(document, body["schema"]).iter_errors(body["example"]))
                assert not errors, f"{method} {path}: {errors[0]}"
                checked += 1
    for slug, example in document["components"]["examples"].items():
        problem = {"$ref": "#/components/schemas/Problem"}
        errors = list(validator(document, problem).iter_errors(example["value"]))
        assert not errors, f"{slug}: {errors[0]}"

    assert checked > 40


def test_every_json_body_has_an_example(document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        if "requestBody" in op:
            assert "example" in op["requestBody"]["content"]["application/json"], path
        success = next(a for c, a in op["responses"].items() if c.startswith("2"))
        for media, content in success.get("content", {}).items():
            if "schema" in content and "$ref" in content["schema"]:
                assert "example" in content, f"{method} {path} {media}"


def test_every_answer_documents_its_request_id_and_authenticated_ones_their_rate_limit(
    document: dict[str, Any],
) -> None:
    rate_limit = {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"}
    for path, method, op in operations(document):
        for code, answer in responses(document, op).items():
            documented = headers(document, answer)
            assert documented["X-Request-Id"]["required"], f"{method} {path} {code}"
            if op.get("security") != [] and code not in ("401", "413"):
                assert rate_limit <= set(documented), f"{method} {path} {code}"
            if code in ("429", "503"):
                assert documented["Retry-After"]["required"], f"{method} {path} {code}"
            if code == "429":
                assert all(documented[name]["required"] for name in rate_limit)


# The POSTs that change nothing: they answer what a command would do, with no ETag or position.
FORECASTS = {"preflightBulkOperation"}


def test_commands_document_their_position_etag_and_created_ones_their_location(
    document: dict[str, Any],
) -> None:
    for path, method, op in operations(document):
        if method == "get" or op.get("security") == [] or op["operationId"] in FORECASTS:
            continue
        code, success = next((c, a) for c, a in op["responses"].items() if c.startswith("2"))
        documented = headers(document, success)
        assert "Accredit-Position" in documented, f"{method} {path}"
        assert documented["ETag"]["required"], f"{method} {path}"
        # Long-running work answers 202 with where its status is read.
        assert ("Location" in documented) == (code in ("201", "202")), f"{method} {path}"


# The reads that answer one aggregate, with its version; every other read answers without.
ETAG_READS = {
    "/v1/tenant",
    "/v1/api-keys/{key_id}",
    "/v1/events/{event_id}",
    "/v1/events/{event_id}/workflow",
    "/v1/participants/{participant_id}",
    "/v1/participants/{participant_id}/credential",
    "/v1/audit/aggregates/{aggregate_id}/state",
    "/v1/events/{event_id}/zones/{zone_id}",
    "/v1/events/{event_id}/zones/{zone_id}/rules",
    "/v1/events/{event_id}/checkpoints/{checkpoint_id}",
    "/v1/merges/{merge_id}",
    "/v1/events/{event_id}/waitlist/settings",
    "/v1/events/{event_id}/waitlist/entries/{waitlist_entry_id}",
    "/v1/bulk-operations/{operation_id}",
}


def test_reads_document_an_etag_only_where_one_is_sent(document: dict[str, Any]) -> None:
    promised = {
        path
        for path, method, op in operations(document)
        if method == "get" and "ETag" in op["responses"]["200"]["headers"]
    }

    assert promised == ETAG_READS


def test_every_read_sends_an_etag_exactly_where_the_document_says(
    client: TestClient, container: Container, admin: Caller, document: dict[str, Any]
) -> None:
    # The reference's pages and assets are named by these, not by a tenant's resource.
    ids = {**one_of_everything(client, container, admin), "slug": "not-found", "name": "docs.js"}

    for path, method, op in operations(document):
        if method != "get":
            continue
        answer = client.simulate_get(path.format(**ids), headers=admin.headers)
        assert answer.status_code == 200, f"{path}: {answer.text}"
        promised = "ETag" in op["responses"]["200"]["headers"]
        assert ("ETag" in answer.headers) == promised, path


def test_the_document_is_served_as_json(client: TestClient) -> None:
    answer = client.simulate_get("/v1/openapi.json")

    assert answer.headers["Content-Type"] == falcon.MEDIA_JSON
