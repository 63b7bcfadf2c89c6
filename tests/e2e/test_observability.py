"""Logs and metrics of the real `accredit serve`: JSON lines, and /metrics over two workers."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Served, start_serve, stop_serve


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    """`accredit serve` on SQLite with 2 gunicorn workers, in the default (JSON) log format."""
    served = start_serve(tmp_path, {"ACCREDIT_RATE_LIMITS": json.dumps({"FREE": 10})})
    try:
        yield served
    finally:
        stop_serve(served)


def log_lines(served: Served) -> list[dict[str, Any]]:
    """Every line the supervisor, gunicorn and the workers wrote, each parsed as JSON."""
    return [json.loads(line) for line in served.log().splitlines()]


def access_lines(served: Served, route: str) -> list[dict[str, Any]]:
    return [
        line
        for line in log_lines(served)
        if line["logger"] == "gunicorn.access" and line.get("route") == route
    ]


def scrape(served: Served) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = served.request("GET", "/metrics")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.body.decode())
        for sample in family.samples
    }


def test_gunicorns_access_lines_are_json_with_the_requests_fields(server: Served) -> None:
    answer = server.request(
        "GET", "/v1/tenant", key=server.admin_key, headers={"X-Request-Id": "e2e-1"}
    )
    assert answer.status == 200
    assert answer.headers["x-request-id"] == "e2e-1"
    server.wait_until(lambda: bool(access_lines(server, "/v1/tenant")), "the access line")

    (line,) = access_lines(server, "/v1/tenant")
    tenant = answer.body["id"]
    assert line["request_id"] == "e2e-1"
    assert line["tenant_id"] == tenant
    assert line["key_id"]
    assert (line["method"], line["status"], line["level"]) == ("GET", 200, "INFO")
    assert line["duration_ms"] > 0
    assert line["time"].endswith("Z")
    assert line["message"].startswith("GET /v1/tenant 200 ")
    # Every process logs in the same format: the supervisor, gunicorn and the projector.
    loggers = {entry["logger"] for entry in log_lines(server)}
    assert {"accredit.supervisor", "gunicorn.error", "accredit.workers"} <= loggers


def test_metrics_add_up_across_both_workers(server: Served) -> None:
    issued = server.request(
        "POST",
        "/v1/api-keys",
        {"name": "small", "permissions": ["tenant:read"], "tier": "FREE"},
        key=server.admin_key,
    )
    free = issued.body["secret"]
    sent = 0

    def admin_batch(pool: ThreadPoolExecutor) -> set[int]:
        """24 requests from 6 threads; the pids of the workers that have answered so far."""
        nonlocal sent
        answers = list(
            pool.map(lambda _: server.request("GET", "/v1/tenant", key=server.admin_key), range(24))
        )
        assert {a.status for a in answers} == {200}
        sent += len(answers)
        expected = sent
        server.wait_until(
            lambda: len(access_lines(server, "/v1/tenant")) == expected, "the access lines"
        )
        return {line["pid"] for line in access_lines(server, "/v1/tenant")}

    with ThreadPoolExecutor(max_workers=6) as pool:
        pids = admin_batch(pool)
        if len(pids) == 1:
            # The kernel may hand every connection to the worker that is already awake: while it
            # is paused, only the other one can take them.
            (busy,) = pids
            os.kill(busy, signal.SIGSTOP)
            try:
                pids = admin_batch(pool)
            finally:
                os.kill(busy, signal.SIGCONT)
        refusals = [
            a.status
            for a in pool.map(lambda _: server.request("GET", "/v1/tenant", key=free), range(14))
        ]
    assert len(pids) == 2, "one worker answered every request"
    assert refusals.count(429) == 4
    projector = server.child_pid("projections")
    os.kill(projector, signal.SIGKILL)
    server.wait_until(lambda: server.child_pid("projections") != projector, "the restart")

    samples = scrape(server)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, frozenset(labels.items())), 0.0)

    count = "accredit_http_request_duration_seconds_count"
    ok = {"method": "GET", "route": "/v1/tenant", "status": "200"}
    # The FREE key's 10 allowed requests count with the admin key's.
    assert value(count, **ok) == sent + 10
    assert value(count, method="GET", route="/v1/tenant", status="429") == 4
    assert value("accredit_rate_limit_refusals_total", tier="FREE") == 4
    assert value("accredit_worker_restarts_total", worker="projections") == 1
    assert value("accredit_worker_restarts_total", worker="http") == 0
    assert value("accredit_projection_status_up") == 1
    assert (
        "accredit_projection_lag_events",
        frozenset({"projection": "platform", "upstream": "platform"}.items()),
    ) in samples
    # The same figures whichever worker answers the scrape.
    assert all(scrape(server).get((count, frozenset(ok.items()))) == sent + 10 for _ in range(4))
