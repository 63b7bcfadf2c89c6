"""The API reference at /docs, drawn by Swagger UI in Debian's headless Chromium from `serve`.

Chromium is driven through Playwright, which downloads no browser here: it launches
/usr/bin/chromium (.ci/run installs it). The page may reach nothing but the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route, sync_playwright

from tests.e2e.conftest import Served, start_serve, stop_serve

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Should anything still try to leave the machine: no name resolves, and every address
    # but the loopback one goes to a proxy on a closed local port.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]
# Resolves once the page has drawn twice more: a scroll's re-render has then been painted.
NEXT_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
DRAWN = 60_000  # ms: how long Swagger UI may take to fetch and draw the document


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = start_serve(
        tmp_path_factory.mktemp("reference"), {"ACCREDIT_WORKERS": "1"}, caught_up=False
    )
    try:
        yield served
    finally:
        stop_serve(served)


class Visit:
    """A fresh Chromium profile, every request it makes, and every error the page reports."""

    def __init__(self, context: BrowserContext, port: int) -> None:
        self.context = context
        self.origin = f"http://127.0.0.1:{port}"
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._only_the_server)

    def _only_the_server(self, route: Route) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme == "data" or f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def open(self, path: str) -> Page:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        page.goto(self.origin + path)
        return page


@pytest.fixture
def visit(server: Served, tmp_path: Path) -> Iterator[Visit]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
        )
        try:
            yield Visit(context, server.port)
        finally:
            context.close()


def document(server: Served) -> dict[str, Any]:
    answer = server.request("GET", "/v1/openapi.json")
    assert answer.status == 200
    return answer.body  # type: ignore[no-any-return]


def drawn_schemas(page: Page) -> set[str]:
    """Every schema title the models section draws: it draws only what its scroll box shows."""
    box = page.locator("section.models .models-scroll")
    titles = page.locator(
        "section.models .models-virtual-item > article > div > button .json-schema-2020-12__title"
    )
    seen: set[str] = set()
    while True:
        seen.update(titles.all_inner_texts())
        moved = box.evaluate(
            "box => { const before = box.scrollTop; box.scrollTop += box.clientHeight / 2;"
            " return box.scrollTop > before }"
        )
        if not moved:
            seen.update(titles.all_inner_texts())
            return seen
        page.evaluate(NEXT_FRAMES)


def test_the_reference_draws_every_operation_from_the_served_document(
    server: Served, visit: Visit
) -> None:
    spec = document(server)
    page = visit.open("/docs")

    page.wait_for_selector("#operations-participants-registerParticipant", timeout=DRAWN)

    for operations in spec["paths"].values():
        for op in operations.values():
            block = page.locator(f"#operations-{op['tags'][0]}-{op['operationId']}")
            assert block.count() == 1, op["operationId"]
            assert op["summary"] in block.inner_text()
    assert drawn_schemas(page) == set(spec["components"]["schemas"])
    assert "projection-rebuilding" in page.locator(".information-container").inner_text()
    assert visit.errors == []
    assert visit.refused == []


def test_an_operation_opens_on_its_parameters_examples_headers_and_problems(
    server: Served, visit: Visit
) -> None:
    page = visit.open("/docs#/participants/registerParticipant")
    block = page.locator("#operations-participants-registerParticipant")

    block.locator(".opblock-body").wait_for(timeout=DRAWN)
    shown = block.inner_text()

    assert "registerParticipant" in shown
    for name in ("event_id", "Idempotency-Key", "X-Request-Id"):
        assert name in shown
    assert "ada@example.org" in shown
    for name in ("Location", "ETag", "Accredit-Position", "RateLimit-Limit", "Retry-After"):
        assert name in shown
    for slug in ("validation-failed", "idempotency-key-in-use", "permission-denied"):
        assert slug in shown
    assert visit.errors == []
    assert visit.refused == []


def test_the_page_asks_nothing_of_any_host_but_the_server(server: Served, visit: Visit) -> None:
    page = visit.open("/docs")
    page.wait_for_selector("#operations-api-keys-listApiKeys", timeout=DRAWN)

    assert visit.refused == []
    assert all(url.startswith(visit.origin + "/") for url in visit.requests)
    fetched = {urlsplit(url).path for url in visit.requests}
    assert {"/docs", "/v1/openapi.json", "/docs/assets/swagger-ui-bundle.js"} <= fetched
