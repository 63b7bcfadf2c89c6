"""API key usage, counted in memory and flushed to SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select

from adapters.service.usage import KeyUsage, KeyUsageRecorder, api_key_usage
from adapters.settings import Settings
from adapters.sql.engines import make_engine
from adapters.sql.schema import create_tables

FLUSH = 10.0
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


def test_nothing_is_written_before_the_flush_interval(engine: Engine, clock: Clock) -> None:
    recorder = KeyUsageRecorder(engine, FLUSH, clock)
    for _ in range(5):
        clock.advance(1)
        recorder.record(TENANT, KEY)

    assert stored_rows(engine) == 0
    assert recorder.usage([KEY]) == {}


def test_a_use_after_the_flush_interval_writes_counts_and_last_use(
    engine: Engine, clock: Clock
) -> None:
    recorder = KeyUsageRecorder(engine, FLUSH, clock)
    first_use = clock.now
    recorder.record(TENANT, KEY)
    recorder.record(TENANT, OTHER_KEY)
    last_use = clock.advance(FLUSH)
    recorder.record(TENANT, KEY)

    assert recorder.usage([KEY, OTHER_KEY]) == {
        KEY: KeyUsage(last_use, 2),
        OTHER_KEY: KeyUsage(first_use, 1),
    }


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
    clock.advance(FLUSH)
    recorder.record(TENANT, KEY)  # the flush it triggers fails without raising

    assert [r.levelname for r in caplog.records] == ["ERROR"]
    create_tables(engine)
    recorder.flush()

    assert recorder.usage([KEY]) == {KEY: KeyUsage(clock.now, 2)}


def test_concurrent_records_are_all_counted(engine: Engine) -> None:
    recorder = KeyUsageRecorder(engine, flush_seconds=0.0)

    def record_many() -> None:
        for _ in range(50):
            recorder.record(TENANT, KEY)

    threads = [threading.Thread(target=record_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    recorder.flush()

    assert recorder.usage([KEY])[KEY].request_count == 400
