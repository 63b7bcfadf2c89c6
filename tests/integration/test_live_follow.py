"""An idle projector follows new domain events: woken by PostgreSQL, polling on SQLite."""

from __future__ import annotations

import threading
from dataclasses import replace

from adapters.projection.wakeup import ListenWakeup, PollWakeup, Wakeup
from adapters.settings import Settings
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

# A safety net only: each wait below ends when the projection has the domain event.
SAFETY_SECONDS = 60


class CountedWakeup:
    """The runner's real wake-up, counting the times the idle runner waited on it."""

    def __init__(self, inner: Wakeup) -> None:
        self.inner = inner
        self.waits = 0
        self._entered = threading.Condition()

    def wait(self, stop: threading.Event) -> None:
        with self._entered:
            self.waits += 1
            self._entered.notify_all()
        self.inner.wait(stop)

    def await_waits(self, count: int) -> bool:
        with self._entered:
            return self._entered.wait_for(lambda: self.waits >= count, SAFETY_SECONDS)

    def close(self) -> None:
        self.inner.close()


def follow(container: Container, wakeup: CountedWakeup, idle_after: int, rounds: int) -> None:
    """Runs the platform projection's live loop and, once it waits idle, records `rounds`
    tenants one by one, each projected while the loop was left to its wake-up alone."""
    projection = next(p for p in container.sql_projections() if p.name == "platform")
    runner = projection.runner()
    runner.catch_up()
    stop = threading.Event()
    thread = threading.Thread(target=runner.run_forever, args=(stop, wakeup))
    thread.start()
    try:
        assert wakeup.await_waits(idle_after), "the runner never went idle"
        for n in range(rounds):
            ack = container.platform.create_tenant(f"Tenant {n}")
            assert ack.position is not None
            assert container.positions.wait_for("platform", [ack.position], SAFETY_SECONDS)
    finally:
        stop.set()
        thread.join(timeout=SAFETY_SECONDS)
        wakeup.close()


def test_on_postgres_an_idle_projector_is_woken_by_the_notification(
    pg_settings: Settings,
) -> None:
    with build(replace(pg_settings, poll_interval_seconds=3600)) as container:
        platform = next(p for p in container.sql_projections() if p.name == "platform")
        listening = container.wakeup(platform)
        assert isinstance(listening, ListenWakeup)
        # No fallback wake-up within the test: only the notification can end a wait.
        listening.fallback_seconds = 3600
        wakeup = CountedWakeup(listening)

        # The first wait only starts listening; in the second the runner is idle, and with
        # neither polling nor a fallback, only a notification wakes it to project a tenant.
        follow(container, wakeup, idle_after=2, rounds=3)


def test_on_sqlite_an_idle_projector_finds_new_domain_events_by_polling(
    sqlite_settings: Settings,
) -> None:
    with build(replace(sqlite_settings, poll_interval_seconds=0.05)) as container:
        platform = next(p for p in container.sql_projections() if p.name == "platform")
        polling = container.wakeup(platform)
        assert isinstance(polling, PollWakeup)

        follow(container, CountedWakeup(polling), idle_after=1, rounds=2)
