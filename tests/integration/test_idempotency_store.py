"""The Idempotency-Key store on SQLite and PostgreSQL, in clear and encrypted."""

from __future__ import annotations

import threading

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Cipher
from sqlalchemy import Engine, select

from adapters.service.idempotency import (
    Claim,
    IdempotencyStore,
    Outcome,
    StoredResponse,
    idempotency_keys,
)
from adapters.settings import Settings
from adapters.sql.eventstore import cipher

TTL = 3600
TIMEOUT = 120
ANSWER = StoredResponse(201, [("Location", "/v1/events/1"), ("ETag", '"1"')], b'{"id": 1}\x00')


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(engine: Engine, clock: Clock) -> IdempotencyStore:
    return IdempotencyStore(engine, TTL, TIMEOUT, clock)


def test_the_first_claim_is_new(store: IdempotencyStore) -> None:
    assert store.claim("tenant", "k1", "fp") == Claim(Outcome.NEW, None)


def test_a_retry_of_a_completed_request_replays_the_stored_response(
    store: IdempotencyStore,
) -> None:
    store.claim("tenant", "k1", "fp")
    store.complete("tenant", "k1", ANSWER)

    assert store.claim("tenant", "k1", "fp") == Claim(Outcome.REPLAY, ANSWER)


def test_a_key_reused_with_another_request_is_a_mismatch_in_progress_or_completed(
    store: IdempotencyStore,
) -> None:
    store.claim("tenant", "k1", "fp")
    in_progress = store.claim("tenant", "k1", "other")
    store.complete("tenant", "k1", ANSWER)
    completed = store.claim("tenant", "k1", "other")

    assert in_progress.outcome is Outcome.MISMATCH
    assert completed == Claim(Outcome.MISMATCH, None)


def test_a_retry_while_the_first_request_runs_is_in_progress(store: IdempotencyStore) -> None:
    store.claim("tenant", "k1", "fp")

    assert store.claim("tenant", "k1", "fp") == Claim(Outcome.IN_PROGRESS, None)


def test_scopes_do_not_share_keys(store: IdempotencyStore) -> None:
    store.claim("tenant-a", "k1", "fp")

    assert store.claim("tenant-b", "k1", "other").outcome is Outcome.NEW


def test_an_expired_key_counts_as_absent(store: IdempotencyStore, clock: Clock) -> None:
    store.claim("tenant", "k1", "fp")
    store.complete("tenant", "k1", ANSWER)

    clock.now += TTL
    assert store.claim("tenant", "k1", "other").outcome is Outcome.NEW
    assert store.claim("tenant", "k1", "other").outcome is Outcome.IN_PROGRESS


def test_an_abandoned_claim_is_taken_over_by_a_retry(store: IdempotencyStore, clock: Clock) -> None:
    store.claim("tenant", "k1", "fp")

    clock.now += TIMEOUT - 1
    assert store.claim("tenant", "k1", "fp").outcome is Outcome.IN_PROGRESS
    clock.now += 1
    assert store.claim("tenant", "k1", "fp").outcome is Outcome.NEW
    assert store.claim("tenant", "k1", "fp").outcome is Outcome.IN_PROGRESS


def test_an_abandoned_claim_still_refuses_another_request(
    store: IdempotencyStore, clock: Clock
) -> None:
    store.claim("tenant", "k1", "fp")

    clock.now += TIMEOUT
    assert store.claim("tenant", "k1", "other").outcome is Outcome.MISMATCH


def test_a_completed_response_is_not_abandoned(store: IdempotencyStore, clock: Clock) -> None:
    store.claim("tenant", "k1", "fp")
    store.complete("tenant", "k1", ANSWER)

    clock.now += TIMEOUT * 2
    assert store.claim("tenant", "k1", "fp") == Claim(Outcome.REPLAY, ANSWER)


def test_a_released_claim_lets_a_retry_run(store: IdempotencyStore) -> None:
    store.claim("tenant", "k1", "fp")
    store.release("tenant", "k1")

    assert store.claim("tenant", "k1", "fp").outcome is Outcome.NEW


def test_release_keeps_a_completed_response(store: IdempotencyStore) -> None:
    store.claim("tenant", "k1", "fp")
    store.complete("tenant", "k1", ANSWER)
    store.release("tenant", "k1")

    assert store.claim("tenant", "k1", "fp") == Claim(Outcome.REPLAY, ANSWER)


def test_purge_deletes_only_expired_keys(store: IdempotencyStore, clock: Clock) -> None:
    store.claim("tenant", "old", "fp")
    store.complete("tenant", "old", ANSWER)
    clock.now += TTL / 2
    store.claim("tenant", "young", "fp")
    store.complete("tenant", "young", ANSWER)
    clock.now += TTL / 2

    assert store.purge_expired() == 1
    assert store.claim("tenant", "young", "fp") == Claim(Outcome.REPLAY, ANSWER)
    assert store.claim("tenant", "old", "fp").outcome is Outcome.NEW


def test_exactly_one_of_eight_concurrent_claims_is_new(store: IdempotencyStore) -> None:
    start = threading.Barrier(8)
    outcomes: list[Outcome] = []

    def claim() -> None:
        start.wait()
        outcomes.append(store.claim("tenant", "k1", "fp").outcome)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == sorted([Outcome.NEW] + [Outcome.IN_PROGRESS] * 7)


# With a cipher key, answers are stored encrypted.

SECRET_ANSWER = StoredResponse(
    201,
    [("Location", "/v1/events/e1/participants/p1"), ("Content-Type", "application/json")],
    b'{"first_name": "Ada", "email": "ada@example.org"}',
)


def aes(key: str | None = None) -> Cipher:
    found = cipher(Settings(cipher_key=key or AESCipher.create_key(32)))
    assert found is not None
    return found


def stored_row_bytes(engine: Engine) -> bytes:
    """The row as the database holds it, every column."""
    with engine.connect() as conn:
        row = conn.execute(select(idempotency_keys)).one()
    return repr(tuple(row)).encode() + row.body


def test_with_a_cipher_neither_the_body_nor_the_headers_are_stored_in_clear(
    engine: Engine, clock: Clock
) -> None:
    store = IdempotencyStore(engine, TTL, TIMEOUT, clock, cipher=aes())
    store.claim("tenant", "k1", "fp")

    store.complete("tenant", "k1", SECRET_ANSWER)

    stored = stored_row_bytes(engine)
    for clear in (b"ada@example.org", b"Ada", b"/v1/events/e1", b"application/json"):
        assert clear not in stored


def test_with_a_cipher_a_retry_replays_the_stored_response(engine: Engine, clock: Clock) -> None:
    store = IdempotencyStore(engine, TTL, TIMEOUT, clock, cipher=aes())
    store.claim("tenant", "k1", "fp")
    store.complete("tenant", "k1", SECRET_ANSWER)

    assert store.claim("tenant", "k1", "fp") == Claim(Outcome.REPLAY, SECRET_ANSWER)


def test_another_process_with_the_same_key_replays_it(engine: Engine, clock: Clock) -> None:
    key = AESCipher.create_key(32)
    IdempotencyStore(engine, TTL, TIMEOUT, clock, cipher=aes(key)).claim("tenant", "k1", "fp")
    IdempotencyStore(engine, TTL, TIMEOUT, clock, cipher=aes(key)).complete(
        "tenant", "k1", SECRET_ANSWER
    )

    elsewhere = IdempotencyStore(engine, TTL, TIMEOUT, clock, cipher=aes(key))
    assert elsewhere.claim("tenant", "k1", "fp") == Claim(Outcome.REPLAY, SECRET_ANSWER)


def test_an_answer_stored_in_clear_before_the_key_was_set_still_replays(
    store: IdempotencyStore, engine: Engine, clock: Clock
) -> None:
    store.claim("tenant", "k1", "fp")
    store.complete("tenant", "k1", ANSWER)

    with_key = IdempotencyStore(engine, TTL, TIMEOUT, clock, cipher=aes())
    assert with_key.claim("tenant", "k1", "fp") == Claim(Outcome.REPLAY, ANSWER)


@pytest.mark.parametrize("now", ["another key", "no key"])
def test_an_answer_encrypted_with_another_key_is_unreadable_and_never_claimed_anew(
    engine: Engine, clock: Clock, now: str
) -> None:
    before = IdempotencyStore(engine, TTL, TIMEOUT, clock, cipher=aes())
    before.claim("tenant", "k1", "fp")
    before.complete("tenant", "k1", SECRET_ANSWER)

    after = IdempotencyStore(
        engine, TTL, TIMEOUT, clock, cipher=aes() if now == "another key" else None
    )
    assert after.claim("tenant", "k1", "fp") == Claim(Outcome.UNREADABLE, None)
    assert after.claim("tenant", "k1", "fp") == Claim(Outcome.UNREADABLE, None)
    assert after.claim("tenant", "k1", "other").outcome is Outcome.MISMATCH
