"""With ACCREDIT_CIPHER_KEY set, the answers kept for Idempotency-Key retries are encrypted."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher
from falcon.testing import TestClient

from adapters.settings import Settings
from adapters.sql.eventstore import cipher
from entrypoints.wiring.container import Container
from tests.unit.http import expect
from tests.unit.http.conftest import Caller
from tests.unit.http.test_events import open_event
from tests.unit.http.test_idempotency import BODY, key_names, post, stored_bytes
from tests.unit.http.test_participants import ADA


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        demo_tenant=False,
        read_wait_seconds=0.2,
        cipher_key=AESCipher.create_key(32),
    )


def test_a_registration_is_replayed_but_its_personal_data_is_not_stored_in_clear(
    client: TestClient, container: Container, admin: Caller
) -> None:
    path = f"/v1/events/{open_event(client, admin)['id']}/participants"
    first = post(client, admin, "ada-once", ADA, path)

    again = post(client, admin, "ada-once", ADA, path)

    expect.ok(first, 201)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    kept = stored_bytes(container)
    for clear in ("ada@example.org", "Lovelace", first.json["id"]):
        assert clear.encode() not in kept


def test_an_answer_kept_under_another_cipher_key_is_a_422_and_the_command_is_not_run_again(
    client: TestClient, container: Container, admin: Caller
) -> None:
    expect.ok(post(client, admin, "before-the-key-changed"), 201)
    container.idempotency.cipher = cipher(Settings(cipher_key=AESCipher.create_key(32)))

    again = post(client, admin, "before-the-key-changed")

    body = expect.problem(again, 422, "idempotency-answer-unreadable")
    assert "new Idempotency-Key" in body["detail"]
    assert "Idempotent-Replayed" not in again.headers
    assert key_names(client, container, admin).count(BODY["name"]) == 1
