"""API key usage, counted in memory and flushed to SQLite and PostgreSQL by a thread of its own."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select

from adapters.service.usage import KeyUsage, KeyUsageRecorder, api_key_usage
from adapters.settings import Settings
from adapters.sql.engines import make_engine
from adapters.sql.schema import create_tables

FLUSH = 10.0
QUICK_FLUSH = 0.01
WAIT_SECONDS = 30.0
TENANT, KEY, OTHER_KEY = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def stored_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(api_key_usage)).scalar_one())


def stored_once_flushed(recorder: KeyUsageRecorder, key_id: uuid.UUID) -> KeyUsage | None:
    """Polls, for a bounded while, until the flusher thread has written the key's usage."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = recorder.usage([key_id]).get(key_id)
        if found is not None:
            return found
        time.sleep(QUICK_FLUSH)
    return None


def test_recording_writes_nothing(engine: Engine, clock: Clock) -> None:
    recorder = KeyUsageRecorder(engine, FLUSH, clock)
    for _ in range(5):
        clock.advance(FLUSH)
        recorder.record(TENANT, KEY)

    assert stored_rows(engine) == 0
    assert recorder.usage([KEY]) == {}


def test_a_started_recorder_writes_counts_and_last_use_on_its_own(
    engine: Engine, clock: Clock
) -> None:
    recorder = KeyUsageRecorder(engine, QUICK_FLUSH, clock)
    first_use = clock.now
    recorder.record(TENANT, OTHER_KEY)
    last_use = clock.advance(5)
    recorder.record(TENANT, KEY)
    recorder.record(TENANT, KEY)

    recorder.start()
    try:
        assert stored_once_flushed(recorder, KEY) == KeyUsage(last_use, 2)
        assert recorder.usage([OTHER_KEY]) == {OTHER_KEY: KeyUsage(first_use, 1)}
    finally:
        recorder.close()


def test_closing_writes_what_is_pending(engine: Engine, clock: Clock) -> None:
    recorder = KeyUsageRecorder(engine, FLUSH, clock)
    recorder.start()
    recorder.record(TENANT, KEY)

    recorder.close()

    assert recorder.usage([KEY]) == {KEY: KeyUsage(clock.now, 1)}


def test_flush_writes_pending_counts_now(engine: Engine, clock: Clock) -> None:
    recorder = KeyUsageRecorder(engine, FLUSH, clock)
    recorder.record(TENANT, KEY)
    recorder.flush()

    assert recorder.usage([KEY]) == {KEY: KeyUsage(clock.now, 1)}
    recorder.flush()
    assert recorder.usage([KEY]) == {KEY: KeyUsage(clock.now, 1)}


def test_counts_accumulate_across_flushes_and_recorders(
    engine: Engine, any_settings: Settings, clock: Clock
) -> None:
    # Two recorders on two engines stand for two worker processes.
    first = KeyUsageRecorder(engine, FLUSH, clock)
    second = KeyUsageRecorder(make_engine(any_settings), FLUSH, clock)
    start = clock.now
    for _ in range(3):
        first.record(TENANT, KEY)
    first.flush()
    latest = clock.advance(5)
    first.record(TENANT, KEY)
    clock.now = start + timedelta(seconds=2)  # the other host's clock lags
    for _ in range(4):
        second.record(TENANT, KEY)
    first.flush()
    second.flush()
    second.engine.dispose()

    assert first.usage([KEY]) == {KEY: KeyUsage(latest, 8)}


def test_usage_returns_timezone_aware_utc_datetimes(engine: Engine, clock: Clock) -> None:
    recorder = KeyUsageRecorder(engine, FLUSH, clock)
    clock.now = datetime(2026, 3, 1, 11, 0, tzinfo=UTC).astimezone(timezone(timedelta(hours=2)))
    recorder.record(TENANT, KEY)
    recorder.flush()

    used = recorder.usage([KEY])[KEY].last_used_at

    assert used.tzinfo is not None
    assert used.utcoffset() == timedelta(0)
    assert used == datetime(2026, 3, 1, 11, 0, tzinfo=UTC)


def test_usage_of_no_keys_is_empty(engine: Engine, clock: Clock) -> None:
    assert KeyUsageRecorder(engine, FLUSH, clock).usage([]) == {}


def test_a_failed_flush_is_logged_and_keeps_the_counts_pending(
    any_settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(any_settings)  # its table does not exist yet, so writes fail
    recorder = KeyUsageRecorder(engine, FLUSH, clock)
    recorder.record(TENANT, KEY)
    recorder.flush()  # fails without raising
    clock.advance(FLUSH)
    recorder.record(TENANT, KEY)

    assert [r.levelname for r in caplog.records] == ["ERROR"]
    create_tables(engine)
    recorder.flush()

    assert recorder.usage([KEY]) == {KEY: KeyUsage(clock.now, 2)}
    engine.dispose()


def test_records_from_many_threads_add_up_exactly_while_the_flusher_writes(
    engine: Engine,
) -> None:
    recorder = KeyUsageRecorder(engine, flush_seconds=QUICK_FLUSH)
    recorder.start()

    def record_many() -> None:
        for _ in range(200):
            recorder.record(TENANT, KEY)
            recorder.record(TENANT, OTHER_KEY)

    threads = [threading.Thread(target=record_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    recorder.close()

    counts = {key: used.request_count for key, used in recorder.usage([KEY, OTHER_KEY]).items()}
    assert counts == {KEY: 1600, OTHER_KEY: 1600}
