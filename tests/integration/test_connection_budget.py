"""With every context wired, an HTTP process that has served traffic and gone quiet holds at
most BUDGET PostgreSQL connections, and never more than its pools allow while busy.

The six contexts still to come are real applications with their own event tables
(tests/standins.py), so the traffic below reaches eight event stores, as it will.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest
from falcon.testing import TestClient

from adapters.settings import Settings
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container, assemble
from tests.pg_connections import UNNAMED, held_by, purposes, settled
from tests.standins import EVERY_CONTEXT, STAND_INS, marks_path

BUDGET = 6  # connections of one HTTP worker process at rest
THREADS = 4  # request threads, as a gunicorn gthread worker has
ROUNDS = 15
IDLE_SECONDS = 0.2  # the pools close idle connections quickly, so rest comes soon
# At rest: nothing changed for this long, many times the idle time and the flush interval.
QUIET_SECONDS = 3.0
WAIT_SECONDS = 120.0
EVENT = {
    "name": "Expo 2027",
    "starts_at": "2027-06-01T09:00:00+02:00",
    "ends_at": "2027-06-03T18:00:00+02:00",
    "time_zone": "Europe/Paris",
    "capacity": 500,
}


@pytest.fixture
def settings(pg_settings: Settings) -> Settings:
    return replace(
        pg_settings, threads=THREADS, pool_idle_seconds=IDLE_SECONDS, usage_flush_seconds=0.1
    )


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = assemble(settings, EVERY_CONTEXT)
    yield built
    built.close()


@pytest.fixture
def admin(pg_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        yield conn


def ours(admin: psycopg.Connection[Any]) -> Counter[str]:
    return held_by(admin, os.getpid())


def keys(container: Container) -> tuple[dict[str, str], dict[str, str]]:
    """A key that only writes and one that only reads (so no query waits for a projector)."""
    tenant = container.platform.create_tenant("Acme Events").aggregate_id
    writer, reader = (
        container.platform.issue_api_key(tenant, name, ["ADMIN"], "PREMIUM")
        for name in ("writer", "reader")
    )
    container.catch_up()
    return (
        {"Authorization": f"Bearer {writer.secret}"},
        {"Authorization": f"Bearer {reader.secret}"},
    )


def serve_traffic(client: TestClient, writer: dict[str, str], reader: dict[str, str]) -> list[int]:
    """Commands on every context and queries of the views, from THREADS threads at once."""
    statuses: list[int] = []
    lock = threading.Lock()

    def one_thread() -> None:
        for _ in range(ROUNDS):
            answers = [
                client.simulate_post("/v1/events", json=EVENT, headers=writer),
                *(client.simulate_post(marks_path(name), headers=writer) for name in STAND_INS),
                client.simulate_get("/v1/tenant", headers=reader),
                client.simulate_get("/v1/api-keys", params={"limit": "10"}, headers=reader),
                client.simulate_get("/v1/events", params={"limit": "10"}, headers=reader),
            ]
            with lock:
                statuses.extend(answer.status_code for answer in answers)

    threads = [threading.Thread(target=one_thread) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    return statuses


def at_rest(admin: psycopg.Connection[Any]) -> Counter[str]:
    """What this process holds once that has stopped changing (a bounded wait)."""
    return settled(lambda: ours(admin), QUIET_SECONDS, IDLE_SECONDS / 2, WAIT_SECONDS)


def test_a_quiet_http_process_holds_at_most_the_budget(
    container: Container, settings: Settings, admin: psycopg.Connection[Any]
) -> None:
    writer, reader = keys(container)
    client = TestClient(create_app(container))
    busiest: Counter[str] = Counter()
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            for purpose, count in purposes(ours(admin)).items():
                busiest[purpose] = max(busiest[purpose], count)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        statuses = serve_traffic(client, writer, reader)
    finally:
        sampling.set()
        sampler.join()
    rest = at_rest(admin)

    assert set(statuses) <= {200, 201}
    assert len(statuses) == THREADS * ROUNDS * (4 + len(STAND_INS))
    # While busy, each pool stays within its bound.
    assert busiest["views"] <= settings.views_connections
    assert busiest["eventstores"] <= settings.eventstore_connections
    assert rest.total() <= BUDGET
    # What remains is this process's listener for projection progress, and it is named.
    assert purposes(rest).get("view-changes") == 1
    assert UNNAMED not in rest


def test_a_closed_container_leaves_no_connection(
    container: Container, admin: psycopg.Connection[Any]
) -> None:
    writer, reader = keys(container)
    statuses = serve_traffic(TestClient(create_app(container)), writer, reader)

    container.close()

    assert set(statuses) <= {200, 201}
    assert at_rest(admin) == Counter()
