"""Health, readiness, the OpenAPI document, the docs page and the problem type pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from falcon import inspect
from falcon.testing import TestClient

from entrypoints.http.app import create_app
from entrypoints.http.problems import PROBLEM_TYPES
from entrypoints.wiring.container import Container
from tests.unit.http import expect

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    return expect.ok(client.simulate_get("/v1/openapi.json"))  # type: ignore[no-any-return]


def test_health_answers_ok_without_a_key(client: TestClient) -> None:
    assert expect.ok(client.simulate_get("/health")) == {"status": "ok", "checks": {}}


def test_ready_checks_the_view_and_service_databases_and_the_event_store(
    client: TestClient,
) -> None:
    body = expect.ok(client.simulate_get("/ready"))

    assert body == {
        "status": "ok",
        "checks": {"views": "ok", "service": "ok", "event_store": "ok", "projections": "ok"},
    }


def test_ready_is_a_503_problem_when_the_database_is_gone(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    container.engine.dispose()
    container.settings.data_dir.rename(tmp_path / "moved away")

    result = client.simulate_get("/ready")

    assert expect.problem(result, 503, "service-unavailable")["checks"] == {}


def test_the_document_is_a_valid_openapi_3_1_document(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(document).validate()


def test_the_document_describes_every_route_and_method_the_app_serves(
    container: Container, document: dict[str, Any]
) -> None:
    served = {
        (route.path.replace(":uuid", ""), method.method.lower())
        for route in inspect.inspect_routes(create_app(container))
        for method in route.methods
        if not method.internal and method.method.lower() in METHODS
    }
    documented = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
        if method in METHODS
    }

    assert documented == served


def test_every_operation_has_a_unique_id_and_documents_problem_answers(
    document: dict[str, Any],
) -> None:
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    ids = [op["operationId"] for op in operations]

    assert len(ids) == len(set(ids))
    for op in operations:
        errors = {code for code in op["responses"] if code.startswith(("4", "5"))}
        assert errors, op["operationId"]
        for code in errors:
            content = op["responses"][code]["content"]
            assert content == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }


def test_authenticated_operations_document_401_403_and_429(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            if op.get("security") == []:
                continue
            assert {"401", "403", "429"} <= set(op["responses"]), f"{method} {path}"


def test_posts_document_the_idempotency_key_and_409(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        if "post" not in operations:
            continue
        op = operations["post"]
        names = {p["name"] for p in op["parameters"]}
        assert "Idempotency-Key" in names, path
        assert "409" in op["responses"], path


def test_the_api_key_creation_documents_location_and_etag(document: dict[str, Any]) -> None:
    created = document["paths"]["/v1/api-keys"]["post"]["responses"]["201"]

    assert {"Location", "ETag", "Accredit-Position"} <= set(created["headers"])


def test_single_resources_document_their_etag_and_pages_do_not(document: dict[str, Any]) -> None:
    def headers(path: str, method: str, status: str = "200") -> set[str]:
        return set(document["paths"][path][method]["responses"][status]["headers"])

    assert "ETag" in headers("/v1/tenant", "get")
    assert "ETag" in headers("/v1/api-keys/{key_id}", "get")
    assert "ETag" in headers("/v1/api-keys/{key_id}/rotate", "post")
    assert "ETag" not in headers("/v1/api-keys", "get")


def test_the_docs_page_is_html_listing_every_operation(
    client: TestClient, document: dict[str, Any]
) -> None:
    result = client.simulate_get("/docs")

    assert result.status_code == 200
    assert result.headers["Content-Type"].startswith("text/html")
    for path in document["paths"]:
        assert path in result.text


@pytest.mark.parametrize("slug", sorted(PROBLEM_TYPES))
def test_every_problem_type_uri_resolves_to_its_description(client: TestClient, slug: str) -> None:
    status, title = PROBLEM_TYPES[slug]

    body = expect.ok(client.simulate_get(f"/problems/{slug}"))

    assert body == {"type": f"/problems/{slug}", "status": status, "title": title}


def test_an_unknown_problem_type_is_a_404_problem(client: TestClient) -> None:
    expect.problem(client.simulate_get("/problems/no-such-thing"), 404, "not-found")
