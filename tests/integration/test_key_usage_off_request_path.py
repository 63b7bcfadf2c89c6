"""Authenticated requests never wait to write API key usage, on a real SQLite views file."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from uuid import UUID

import pytest
from falcon.testing import TestClient

from adapters.service.usage import KeyUsage
from adapters.settings import Settings
from adapters.sql.engines import SQLITE_FILE
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

FLUSH_SECONDS = 0.02
WAIT_SECONDS = 30.0


@pytest.fixture
def container(sqlite_settings: Settings) -> Iterator[Container]:
    built = build(replace(sqlite_settings, usage_flush_seconds=FLUSH_SECONDS))
    yield built
    built.close()


@pytest.fixture
def key(container: Container) -> tuple[UUID, dict[str, str]]:
    tenant = container.platform.create_tenant("Acme Events").aggregate_id
    issued = container.platform.issue_api_key(tenant, "reader", ["ADMIN"], "PREMIUM")
    container.catch_up()
    return issued.ack.aggregate_id, {"Authorization": f"Bearer {issued.secret}"}


def usage_once_written(container: Container, key_id: UUID, count: int) -> KeyUsage | None:
    """Polls, for a bounded while, until the flusher has written `count` uses of the key."""
    deadline = time.monotonic() + WAIT_SECONDS
    found = None
    while time.monotonic() < deadline:
        found = container.usage.usage([key_id]).get(key_id)
        if found is not None and found.request_count >= count:
            return found
        time.sleep(FLUSH_SECONDS)
    return found


def test_requests_answer_while_the_views_are_write_locked_and_usage_follows_the_release(
    container: Container, key: tuple[UUID, dict[str, str]], sqlite_settings: Settings
) -> None:
    key_id, headers = key
    client = TestClient(create_app(container))
    # Another connection holds the views file's write lock, as a projection batch or
    # a rebuild's swap does, for as long as every request below takes.
    holder = sqlite3.connect(sqlite_settings.data_dir / SQLITE_FILE, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        answers = [client.simulate_get("/v1/tenant", headers=headers) for _ in range(5)]
        written_while_locked = container.usage.usage([key_id])
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert [answer.status_code for answer in answers] == [200] * 5
    assert written_while_locked == {}
    # Nothing else is requested: the flusher writes the counts once the lock is gone.
    written = usage_once_written(container, key_id, 5)
    assert written is not None
    assert written.request_count == 5


def test_usage_counted_by_many_request_threads_adds_up_exactly(
    container: Container, key: tuple[UUID, dict[str, str]]
) -> None:
    key_id, headers = key
    client = TestClient(create_app(container))
    statuses: list[int] = []
    lock = threading.Lock()

    def send_many() -> None:
        for _ in range(40):
            status = client.simulate_get("/v1/tenant", headers=headers).status_code
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=send_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    container.usage.close()

    assert statuses == [200] * 240
    assert container.usage.usage([key_id])[key_id].request_count == 240
