"""A newcomer's path over real HTTP, against the real supervisor, gunicorn and workers."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from entrypoints.http.platform.api_keys import SHOWN_ONCE_NOTE
from tests.e2e.conftest import CORS_ORIGIN, Served, stop_serve


def test_demo_admin_key_reads_the_tenant_and_issues_keys_visible_in_the_list(
    served: Served,
) -> None:
    tenant = served.request("GET", "/v1/tenant", key=served.admin_key)
    assert tenant.status == 200
    assert "REST_API" in tenant.body["features"]
    assert tenant.headers["etag"] == f'"{tenant.body["version"]}"'

    issued = served.request(
        "POST",
        "/v1/api-keys",
        {"name": "north gate", "permissions": ["check-in:scan"]},
        key=served.admin_key,
        headers={"Idempotency-Key": "gate-1"},
    )
    assert issued.status == 201
    assert issued.body["secret"].startswith("acc_")
    assert issued.headers["location"] == f"/v1/api-keys/{issued.body['id']}"

    replay = served.request(
        "POST",
        "/v1/api-keys",
        {"name": "north gate", "permissions": ["check-in:scan"]},
        key=served.admin_key,
        headers={"Idempotency-Key": "gate-1"},
    )
    assert replay.status == 201
    # The secret was shown once: the answer kept for retries never held it.
    assert replay.body == {**issued.body, "secret": None, "replay_note": SHOWN_ONCE_NOTE}
    assert replay.headers["idempotent-replayed"] == "true"

    # Read-your-writes: the background projector makes the key visible at that position.
    position = issued.headers["accredit-position"]
    listing = served.request("GET", f"/v1/api-keys?min_position={position}", key=served.admin_key)
    assert listing.status == 200
    names = [k["name"] for k in listing.body["items"]]
    assert names.count("north gate") == 1
    assert all("secret" not in k for k in listing.body["items"])


def test_rate_limit_is_shared_by_all_gunicorn_workers(served: Served) -> None:
    issued = served.request(
        "POST",
        "/v1/api-keys",
        {"name": "small", "permissions": ["tenant:read"], "tier": "FREE"},
        key=served.admin_key,
    )
    secret = issued.body["secret"]
    # New connections spread over both workers; the quota of 10 holds across them.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(lambda _: served.request("GET", "/v1/tenant", key=secret), range(16))
        )
    statuses = sorted(a.status for a in answers)
    assert statuses.count(200) == 10
    assert statuses.count(429) == 6
    refused = next(a for a in answers if a.status == 429)
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-remaining"] == "0"


def test_a_revoked_key_is_refused_by_every_worker_within_the_auth_cache_time(
    served: Served,
) -> None:
    issued = served.request(
        "POST",
        "/v1/api-keys",
        {"name": "temp", "permissions": ["tenant:read"]},
        key=served.admin_key,
    )
    secret = issued.body["secret"]
    # New connections spread over both workers, so each remembers the key.
    for _ in range(6):
        assert served.request("GET", "/v1/tenant", key=secret).status == 200
    revoked = served.request(
        "POST", f"/v1/api-keys/{issued.body['id']}/revoke", key=served.admin_key
    )
    assert revoked.status == 200
    time.sleep(float(served.env["ACCREDIT_AUTH_CACHE_SECONDS"]))
    for _ in range(6):
        answer = served.request("GET", "/v1/tenant", key=secret)
        assert answer.status == 401
        assert answer.body["type"] == "/problems/unauthenticated"


def test_a_killed_worker_is_restarted_and_sigterm_stops_everything(served: Served) -> None:
    projector = served.child_pid("projections")
    os.kill(projector, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while served.child_pid("projections") == projector:
        assert time.monotonic() < deadline, served.log()
        time.sleep(0.2)

    # The restarted projector resumes: a new key shows up at its position.
    issued = served.request(
        "POST",
        "/v1/api-keys",
        {"name": "after restart", "permissions": ["tenant:read"]},
        key=served.admin_key,
    )
    position = issued.headers["accredit-position"]
    listing = served.request("GET", f"/v1/api-keys?min_position={position}", key=served.admin_key)
    assert listing.status == 200
    assert "after restart" in [k["name"] for k in listing.body["items"]]

    http_pid = served.child_pid("http")
    assert stop_serve(served) == 0
    for pid in (http_pid, served.child_pid("projections")):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"process {pid} still runs after SIGTERM")


def test_errors_over_the_wire_are_problem_documents(served: Served) -> None:
    missing = served.request("GET", "/v1/nowhere", key=served.admin_key)
    assert missing.status == 404
    assert missing.headers["content-type"] == "application/problem+json"
    unauthenticated = served.request("GET", "/v1/tenant")
    assert unauthenticated.status == 401
    assert unauthenticated.headers["www-authenticate"].startswith("Bearer")
    docs = served.request("GET", "/docs")
    assert docs.status == 200
    assert b"/docs/assets/swagger-ui-bundle.js" in docs.body
    spec = served.request("GET", "/v1/openapi.json")
    assert spec.body["openapi"] == "3.1.0"


def test_a_page_of_an_allowed_origin_passes_the_preflight_and_reads_the_answer(
    served: Served,
) -> None:
    preflight = served.request(
        "OPTIONS",
        "/v1/api-keys",
        headers={
            "Origin": CORS_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )
    answer = served.request(
        "POST",
        "/v1/api-keys",
        {"name": "kiosk", "permissions": ["tenant:read"]},
        key=served.admin_key,
        headers={"Origin": CORS_ORIGIN},
    )
    foreign = served.request(
        "GET", "/v1/tenant", key=served.admin_key, headers={"Origin": "https://elsewhere.example"}
    )

    assert preflight.status == 200
    assert preflight.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "idempotency-key" in preflight.headers["access-control-allow-headers"]
    assert answer.status == 201
    assert answer.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "Location" in answer.headers["access-control-expose-headers"]
    assert foreign.status == 200
    assert "access-control-allow-origin" not in foreign.headers
