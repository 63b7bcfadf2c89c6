"""Every line a request logs names it: request id, tenant, key, method and route template."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import falcon
import pytest
from falcon.testing import TestClient

from entrypoints.http.responders import Operation
from entrypoints.observability.access_log import log_access
from entrypoints.observability.logs import log_handler
from tests.unit.http.conftest import Caller

boom_log = logging.getLogger("tests.boom")


class Boom:
    """A responder that logs a line, then fails as a bug would."""

    operations = {"GET": Operation("fails on purpose", operation_id="failOnPurpose")}

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        boom_log.warning("about to fail for %s", name)
        raise RuntimeError("first line\nsecond line")


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the root logger writes in JSON lines while the test runs."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_line_a_request_logs_carries_its_request_id_tenant_key_and_route(
    client: TestClient, admin: Caller, lines: io.StringIO
) -> None:
    client.app.add_route("/v1/boom/{name}", Boom())

    result = client.simulate_get("/v1/boom/x1", headers={**admin.headers, "X-Request-Id": "req-42"})

    assert result.status_code == 500
    logged = parsed(lines)
    assert [line["logger"] for line in logged] == ["tests.boom", "entrypoints.http.problems"]
    for line in logged:
        assert line["request_id"] == "req-42"
        assert line["tenant_id"] == str(admin.tenant_id)
        assert line["key_id"] == str(admin.key_id)
        assert line["method"] == "GET"
        assert line["route"] == "/v1/boom/{name}"
    warning, error = logged
    assert (warning["level"], warning["message"]) == ("WARNING", "about to fail for x1")
    assert error["level"] == "ERROR"
    # The traceback is one field of one line, its line breaks escaped.
    assert "Traceback" in error["exception"]
    assert "RuntimeError: first line\nsecond line" in error["exception"]
    assert len(lines.getvalue().splitlines()) == 2


def test_the_access_line_has_the_route_template_status_and_duration(
    client: TestClient, admin: Caller, lines: io.StringIO
) -> None:
    environs: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        environs.append(environ)
        return client.app(environ, start_response)

    result = TestClient(app).simulate_get(f"/v1/api-keys/{admin.key_id}", headers=admin.headers)
    assert result.status_code == 200
    # What gunicorn's logger does once the answer is sent, with the time it measured.
    log_access(logging.getLogger("gunicorn.access"), environs[0], "200 OK", 0.0123)

    (line,) = parsed(lines)
    assert line["logger"] == "gunicorn.access"
    assert line["level"] == "INFO"
    assert line["request_id"] == result.headers["X-Request-Id"]
    assert line["tenant_id"] == str(admin.tenant_id)
    assert line["key_id"] == str(admin.key_id)
    assert line["method"] == "GET"
    assert line["route"] == "/v1/api-keys/{key_id}"
    assert line["status"] == 200
    assert line["duration_ms"] == 12.3
    assert line["message"] == "GET /v1/api-keys/{key_id} 200 12.3 ms"
    assert line["time"].endswith("Z")


def test_an_anonymous_request_logs_what_is_known_and_nothing_leaks_after_it(
    client: TestClient, lines: io.StringIO
) -> None:
    result = client.simulate_get("/v1/tenant")
    logging.getLogger("tests.after").info("between requests")

    assert result.status_code == 401
    (line,) = parsed(lines)
    assert line["message"] == "between requests"
    assert not {"request_id", "tenant_id", "key_id", "route", "method"} & line.keys()
