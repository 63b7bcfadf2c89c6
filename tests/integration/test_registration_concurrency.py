"""Racing writers on PostgreSQL: no seat is overbooked, no e-mail is registered twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.registration.application import RegistrationApplication
from domain.registration.email_index import AlreadyRegistered
from domain.registration.participant import ParticipantStatus
from domain.registration.seats import CapacityReached
from domain.shared.errors import ConcurrencyConflict

WRITERS = 8
START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
FANS = {"code": "fans", "name": "Fans"}


def writers(settings: Settings) -> list[RegistrationApplication]:
    """One application per thread, as separate worker processes would each have."""
    env = eventstore_env(settings, RegistrationApplication.name)
    return [RegistrationApplication(env) for _ in range(WRITERS)]


def in_threads(work: list[Callable[[], str]]) -> Counter[str]:
    results: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(work))

    def run(job: Callable[[], str]) -> None:
        barrier.wait()
        outcome = job()
        with lock:
            results[outcome] += 1

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_racing_approvals_never_overbook_the_last_seats(pg_settings: Settings) -> None:
    apps = writers(pg_settings)
    tenant = uuid4()
    first = apps[0]

    def event(capacity: int | None, categories: list[dict[str, Any]]) -> UUID:
        event_id = first.create_event(
            tenant,
            "Final",
            START,
            START + timedelta(hours=3),
            "UTC",
            capacity=capacity,
            categories=categories,
        ).aggregate_id
        first.open_registration(tenant, event_id)
        return event_id

    def register(event_id: UUID, n: int, category: str | None = None) -> UUID:
        details = {"first_name": "Fan", "last_name": str(n), "email": f"fan{n}@example.org"}
        return first.register(tenant, event_id, details, category).aggregate_id

    arena = event(5, [])  # five seats in all
    press_box = event(None, [{"code": "press", "name": "Press", "capacity": 2}, FANS])
    crowd = [register(arena, n) for n in range(24)]
    press = [register(press_box, n, "press") for n in range(12)]
    fans = [register(press_box, 100 + n, "fans") for n in range(12)]
    everyone = [pid for trio in zip(crowd, press + fans, strict=True) for pid in trio]

    def approver(app: RegistrationApplication, mine: list[UUID]) -> Callable[[], str]:
        def approve_all() -> str:
            for pid in mine:
                while True:
                    try:
                        app.complete_step(tenant, pid, "approval", "approved")
                    except CapacityReached:
                        pass
                    except ConcurrencyConflict:
                        continue
                    break
            return "done"

        return approve_all

    in_threads([approver(app, everyone[n::WRITERS]) for n, app in enumerate(apps)])

    fresh = RegistrationApplication(eventstore_env(pg_settings, RegistrationApplication.name))

    def approved(people: list[UUID]) -> int:
        statuses = [fresh.participant(tenant, pid).status for pid in people]
        return statuses.count(ParticipantStatus.APPROVED)

    assert (approved(crowd), fresh.seats_taken(tenant, arena)) == (5, 5)
    assert (approved(press), approved(fans)) == (2, len(fans))
    assert fresh.seats_taken(tenant, press_box) == 2 + len(fans)
    for app in [*apps, fresh]:
        app.close()


def test_racing_registrations_of_one_email_let_exactly_one_in(pg_settings: Settings) -> None:
    apps = writers(pg_settings)
    tenant = uuid4()
    event_id = (
        apps[0].create_event(tenant, "Expo", START, START + timedelta(days=1), "UTC").aggregate_id
    )
    apps[0].open_registration(tenant, event_id)

    def registrar(app: RegistrationApplication, n: int) -> Callable[[], str]:
        def register() -> str:
            details: dict[str, Any] = {
                "first_name": "Ada",
                "last_name": f"Twin {n}",
                "email": f"  ADA@example.org{' ' * n}",
            }
            try:
                app.register(tenant, event_id, details)
            except AlreadyRegistered:
                return "refused"
            return "registered"

        return register

    results = in_threads([registrar(app, n) for n, app in enumerate(apps)])

    assert results == Counter({"registered": 1, "refused": WRITERS - 1})
    for app in apps:
        app.close()
