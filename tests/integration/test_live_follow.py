"""An idle projector follows new domain events: woken by PostgreSQL, polling on SQLite."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from adapters.projection.wakeup import ListenWakeup, PollWakeup
from adapters.settings import Settings
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build


def seconds_until_projected(container: Container, projection_name: str, rounds: int) -> list[float]:
    """Runs the projection's live loop and times how long each new domain event takes to show."""
    projection = next(p for p in container.sql_projections() if p.name == projection_name)
    runner = projection.runner()
    runner.catch_up()
    wakeup = container.wakeup(projection)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run_forever, args=(stop, wakeup))
    thread.start()
    try:
        time.sleep(0.3)  # until the runner is idle, waiting
        latencies = []
        for n in range(rounds):
            started = time.monotonic()
            ack = container.platform.create_tenant(f"Tenant {n}")
            assert ack.position is not None
            assert container.positions.wait_for(projection_name, [ack.position], timeout=10)
            latencies.append(time.monotonic() - started)
            time.sleep(0.05)
        return latencies
    finally:
        stop.set()
        thread.join(timeout=10)
        wakeup.close()


def test_on_postgres_a_new_domain_event_is_projected_well_within_the_poll_interval(
    pg_settings: Settings,
) -> None:
    with build(replace(pg_settings, poll_interval_seconds=5.0)) as container:
        platform = next(p for p in container.sql_projections() if p.name == "platform")
        assert isinstance(container.wakeup(platform), ListenWakeup)

        latencies = seconds_until_projected(container, "platform", rounds=3)

    assert max(latencies) < 0.5, latencies


def test_on_sqlite_an_idle_projector_polls_at_the_poll_interval(
    sqlite_settings: Settings,
) -> None:
    with build(replace(sqlite_settings, poll_interval_seconds=0.05)) as container:
        platform = next(p for p in container.sql_projections() if p.name == "platform")
        assert isinstance(container.wakeup(platform), PollWakeup)

        latencies = seconds_until_projected(container, "platform", rounds=2)

    assert max(latencies) < 1.0, latencies
