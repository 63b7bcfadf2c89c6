"""Health, readiness, the API reference page and its files, and the problem type pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from falcon.testing import TestClient

from entrypoints.http.problems import PROBLEM_TYPES
from entrypoints.wiring.container import Container
from tests.unit.http import expect


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


def test_ready_is_a_503_problem_naming_the_check_that_failed_when_the_database_is_gone(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    container.engine.dispose()
    container.settings.data_dir.rename(tmp_path / "moved away")

    result = client.simulate_get("/ready")

    body = expect.problem(result, 503, "service-unavailable")
    assert body["checks"] == {"views": "OperationalError"}
    assert body["detail"] == "the views did not answer (OperationalError)"


def test_the_docs_page_draws_the_document_with_the_vendored_swagger_ui(
    client: TestClient,
) -> None:
    result = client.simulate_get("/docs")

    assert result.status_code == 200
    assert result.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in result.headers["Content-Security-Policy"]
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        assert asset in result.text
    script = client.simulate_get("/docs/assets/docs.js")
    assert "/v1/openapi.json" in script.text
    assert "validatorUrl: null" in script.text


@pytest.mark.parametrize(
    ("name", "media_type", "text"),
    [
        ("swagger-ui-bundle.js", "text/javascript", "SwaggerUIBundle"),
        ("swagger-ui.css", "text/css", ".swagger-ui"),
        ("LICENSE", "text/plain", "Apache License"),
        ("NOTICE", "text/plain", "SmartBear"),
        ("swagger-ui-bundle.js.LICENSE.txt", "text/plain", "MIT"),
        ("VERSION", "text/plain", "swagger-ui-dist 5."),
    ],
)
def test_the_docs_assets_are_served_from_the_package_with_their_licences(
    client: TestClient, name: str, media_type: str, text: str
) -> None:
    result = client.simulate_get(f"/docs/assets/{name}")

    assert result.status_code == 200
    assert result.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    assert text in result.text


def test_an_unknown_docs_asset_is_a_404_problem(client: TestClient) -> None:
    expect.problem(client.simulate_get("/docs/assets/..%2Fdocs.html"), 404, "not-found")
    expect.problem(client.simulate_get("/docs/assets/index.html"), 404, "not-found")


@pytest.mark.parametrize("slug", sorted(PROBLEM_TYPES))
def test_every_problem_type_uri_resolves_to_its_description(client: TestClient, slug: str) -> None:
    status, title = PROBLEM_TYPES[slug]

    body = expect.ok(client.simulate_get(f"/problems/{slug}"))

    assert body == {"type": f"/problems/{slug}", "status": status, "title": title}


def test_an_unknown_problem_type_is_a_404_problem(client: TestClient) -> None:
    expect.problem(client.simulate_get("/problems/no-such-thing"), 404, "not-found")
