"""The shared rate limiter on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from sqlalchemy import Engine, delete, select

from adapters.service.ratelimit import MAX_LEASES, SqlRateLimiter, _Lease, rate_limit_counters
from adapters.settings import Settings
from adapters.sql.engines import make_engine

WINDOW = 60
START = 1_700_000_040.0  # a multiple of 60, so a window starts here


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_allows_exactly_the_limit_in_a_window_then_refuses(engine: Engine) -> None:
    clock = Clock(START + 15.5)
    limiter = SqlRateLimiter(engine, WINDOW, clock)

    decisions = [limiter.hit("key-a", limit=3) for _ in range(5)]

    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0, 0]
    assert {d.limit for d in decisions} == {3}
    assert decisions[-1].reset_seconds == 45  # ceil(60 - 15.5)


def test_reset_is_at_least_one_second_at_the_end_of_a_window(engine: Engine) -> None:
    limiter = SqlRateLimiter(engine, WINDOW, Clock(START + WINDOW - 0.01))

    assert limiter.hit("key-a", limit=3).reset_seconds == 1


def test_a_new_window_resets_the_count(engine: Engine) -> None:
    clock = Clock()
    limiter = SqlRateLimiter(engine, WINDOW, clock)
    for _ in range(3):
        limiter.hit("key-a", limit=2)

    clock.now += WINDOW
    decision = limiter.hit("key-a", limit=2)

    assert decision.allowed
    assert decision.remaining == 1
    assert decision.reset_seconds == WINDOW


def test_buckets_are_counted_independently(engine: Engine) -> None:
    limiter = SqlRateLimiter(engine, WINDOW, Clock())
    limiter.hit("key-a", limit=1)

    assert not limiter.hit("key-a", limit=1).allowed
    assert limiter.hit("key-b", limit=1).allowed


def test_a_late_hit_from_an_older_window_does_not_move_the_window_back(engine: Engine) -> None:
    ahead, behind = Clock(START + WINDOW + 1), Clock(START + WINDOW - 2)
    host_ahead = SqlRateLimiter(engine, WINDOW, ahead)
    host_behind = SqlRateLimiter(engine, WINDOW, behind)
    host_ahead.hit("key-a", limit=2)

    late = host_behind.hit("key-a", limit=2)
    after = host_ahead.hit("key-a", limit=2)

    assert late.allowed
    assert late.remaining == 0
    assert late.reset_seconds == WINDOW  # the newer window's end is further than a window away
    assert not after.allowed
    with engine.connect() as conn:
        stored = conn.execute(select(rate_limit_counters.c.window_start)).scalar_one()
    assert stored == START + WINDOW


def _hammer(settings: Settings, hits: int, start: Barrier, results: Queue[int]) -> None:
    engine = make_engine(settings)
    limiter = SqlRateLimiter(engine, window_seconds=3600, clock=lambda: START)
    start.wait()
    allowed = sum(limiter.hit("shared", limit=120).allowed for _ in range(hits))
    engine.dispose()
    results.put(allowed)


def test_counts_exactly_across_processes(engine: Engine, any_settings: Settings) -> None:
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(4), context.Queue()
    workers = [
        context.Process(target=_hammer, args=(any_settings, 50, start, results)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    allowed = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)

    assert sum(allowed) == 120
    assert all(worker.exitcode == 0 for worker in workers)
    with engine.connect() as conn:
        stored = conn.execute(select(rate_limit_counters.c.hits)).scalar_one()
    # Once refused, a process refuses locally for the rest of the window: one write each.
    assert 120 <= stored <= 124


def test_a_large_quota_is_taken_in_leases_of_one_percent(engine: Engine) -> None:
    limiter = SqlRateLimiter(engine, WINDOW, Clock(START))

    decisions = [limiter.hit("busy", limit=10_000) for _ in range(250)]

    assert all(d.allowed for d in decisions)
    with engine.connect() as conn:
        # Three writes of 100 hits each served 250 requests.
        assert conn.execute(select(rate_limit_counters.c.hits)).scalar_one() == 300
    assert decisions[-1].remaining == 10_000 - 250


def test_leases_never_let_processes_exceed_the_quota_together(engine: Engine) -> None:
    clock = Clock(START)
    processes = [SqlRateLimiter(engine, WINDOW, clock) for _ in range(3)]

    allowed = 0
    for turn in range(1500):
        allowed += processes[turn % 3].hit("shared", limit=1000).allowed

    # Leases of 10: at most the unspent leases of the other processes go unused.
    assert 1000 - 2 * 10 <= allowed <= 1000


# Peeking: is a bucket spent in this window, without counting a hit?


def test_a_peek_counts_no_hit(engine: Engine) -> None:
    limiter = SqlRateLimiter(engine, WINDOW, Clock(START + 15.5))

    peeks = [limiter.peek("key-a", limit=2) for _ in range(3)]

    assert [(p.allowed, p.remaining, p.reset_seconds) for p in peeks] == [(True, 2, 45)] * 3
    assert [limiter.hit("key-a", limit=2).allowed for _ in range(3)] == [True, True, False]


def test_a_peek_sees_a_bucket_another_process_spent(engine: Engine) -> None:
    clock = Clock(START + 10)
    here, elsewhere = SqlRateLimiter(engine, WINDOW, clock), SqlRateLimiter(engine, WINDOW, clock)
    elsewhere.hit("key-a", limit=2)
    assert here.peek("key-a", limit=2).remaining == 1

    elsewhere.hit("key-a", limit=2)

    spent = here.peek("key-a", limit=2)
    assert (spent.allowed, spent.remaining, spent.reset_seconds) == (False, 0, 50)


def test_a_window_seen_spent_is_remembered_until_it_ends(engine: Engine) -> None:
    clock = Clock(START)
    here, elsewhere = SqlRateLimiter(engine, WINDOW, clock), SqlRateLimiter(engine, WINDOW, clock)
    elsewhere.hit("key-a", limit=1)
    assert not here.peek("key-a", limit=1).allowed
    with engine.begin() as conn:
        # Were the counter read again, it would be found whole.
        conn.execute(delete(rate_limit_counters))

    assert not here.peek("key-a", limit=1).allowed
    assert elsewhere.peek("key-a", limit=1).allowed
    clock.now += WINDOW
    assert here.peek("key-a", limit=1).allowed


def test_a_peek_in_a_new_window_finds_the_bucket_whole(engine: Engine) -> None:
    clock = Clock(START)
    limiter = SqlRateLimiter(engine, WINDOW, clock)
    limiter.hit("key-a", limit=1)

    clock.now += WINDOW

    assert limiter.peek("key-a", limit=1).remaining == 1


def test_a_process_that_remembers_too_many_buckets_lets_go_of_past_windows(
    engine: Engine,
) -> None:
    clock = Clock(START)
    limiter = SqlRateLimiter(engine, WINDOW, clock)
    for bucket in range(MAX_LEASES):
        limiter._leases[f"old-{bucket}"] = _Lease(int(START), 0, exhausted=True)
    clock.now += WINDOW

    limiter.hit("key-a", limit=1)

    assert set(limiter._leases) == {"key-a"}
