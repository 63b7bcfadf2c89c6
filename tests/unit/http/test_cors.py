"""CORS: pages of the listed origins may call the API from a browser; others may not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from falcon.testing import TestClient

from adapters.settings import Settings, SettingsError
from domain.platform.features import Feature
from entrypoints.http.app import create_app
from entrypoints.wiring.contexts import build
from tests.unit.http import expect
from tests.unit.http.conftest import Caller

KIOSK = "https://kiosk.example.org"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, cors_origins=(KIOSK, "http://localhost:5173"))


def test_an_allowed_origin_may_read_the_answer_and_its_headers(
    client: TestClient, admin: Caller
) -> None:
    result = client.simulate_get("/v1/tenant", headers={**admin.headers, "Origin": KIOSK})

    expect.ok(result)
    assert result.headers["Access-Control-Allow-Origin"] == KIOSK
    exposed = {h.strip() for h in result.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Accredit-Position", "Retry-After", "X-Request-Id"} <= exposed
    assert "Origin" in result.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in result.headers


def test_an_origin_not_listed_gets_no_permission(client: TestClient, admin: Caller) -> None:
    result = client.simulate_get(
        "/v1/tenant", headers={**admin.headers, "Origin": "https://evil.example.com"}
    )

    expect.ok(result)
    assert "Access-Control-Allow-Origin" not in result.headers
    assert "Origin" in result.headers["Vary"]


def test_a_preflight_is_answered_without_a_key_with_the_route_methods(
    client: TestClient,
) -> None:
    result = client.simulate_options(
        "/v1/tenant",
        headers={
            "Origin": KIOSK,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )

    assert result.status_code == 200
    assert result.headers["Access-Control-Allow-Origin"] == KIOSK
    assert "PATCH" in result.headers["Access-Control-Allow-Methods"]
    assert result.headers["Access-Control-Allow-Headers"] == "authorization, content-type, if-match"
    assert int(result.headers["Access-Control-Max-Age"]) > 0


def test_refusals_carry_the_permission_too_so_a_page_can_read_the_problem(
    client: TestClient,
) -> None:
    result = client.simulate_get("/v1/tenant", headers={"Origin": KIOSK})

    expect.problem(result, 401, "unauthenticated")
    assert result.headers["Access-Control-Allow-Origin"] == KIOSK


def test_no_origin_is_allowed_by_default(tmp_path: Path) -> None:
    with build(Settings(data_dir=tmp_path / "plain", demo_tenant=False)) as container:
        tenant = container.platform.create_tenant("Plain", tuple(Feature)).aggregate_id
        secret = container.platform.issue_api_key(tenant, "admin", ["ADMIN"]).secret
        container.catch_up()
        client = TestClient(create_app(container))

        result = client.simulate_get(
            "/v1/tenant", headers={"Authorization": f"Bearer {secret}", "Origin": KIOSK}
        )

    expect.ok(result)
    assert "Access-Control-Allow-Origin" not in result.headers


@pytest.mark.parametrize(
    ("raw", "origins"),
    [
        ("", ()),
        ("*", ("*",)),
        (
            "https://a.example.org, http://localhost:8080/",
            ("https://a.example.org", "http://localhost:8080"),
        ),
        ("http://[::1]:3000", ("http://[::1]:3000",)),
    ],
)
def test_origins_are_read_from_the_environment(raw: str, origins: tuple[str, ...]) -> None:
    assert Settings.from_env({"ACCREDIT_CORS_ORIGINS": raw}).cors_origins == origins


@pytest.mark.parametrize(
    "raw", ["kiosk.example.org", "https://kiosk.example.org/page", "ftp://x.org", "https://a.org,*"]
)
def test_an_origin_that_is_not_one_is_refused_with_the_form_expected(raw: str) -> None:
    with pytest.raises(SettingsError, match="scheme://host"):
        Settings.from_env({"ACCREDIT_CORS_ORIGINS": raw})
