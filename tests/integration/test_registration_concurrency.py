"""Racing writers on PostgreSQL: no seat is overbooked, no e-mail is registered twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from adapters.database import eventstore_env
from adapters.settings import Settings
from domain.email_index import AlreadyRegistered
from domain.errors import ConcurrencyConflict
from domain.participant import ParticipantStatus
from domain.registration import RegistrationApplication
from domain.seats import CapacityReached

WRITERS = 8
START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


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
    event_id = first.create_event(
        tenant,
        "Final",
        START,
        START + timedelta(hours=3),
        "UTC",
        capacity=5,
        categories=[
            {"code": "press", "name": "Press", "capacity": 2},
            {"code": "fans", "name": "Fans"},
        ],
    ).aggregate_id
    first.open_registration(tenant, event_id)
    people = [
        first.register(
            tenant,
            event_id,
            {"first_name": "Fan", "last_name": str(n), "email": f"fan{n}@example.org"},
            "press" if n % 3 == 0 else "fans",
        ).aggregate_id
        for n in range(48)
    ]

    def approver(app: RegistrationApplication, mine: list[UUID]) -> Callable[[], str]:
        def approve_all() -> str:
            outcomes = []
            for pid in mine:
                while True:
                    try:
                        app.complete_step(tenant, pid, "approval", "approved")
                        outcomes.append("approved")
                    except CapacityReached:
                        outcomes.append("full")
                    except ConcurrencyConflict:
                        continue
                    break
            return ",".join(outcomes)

        return approve_all

    in_threads([approver(app, people[n::WRITERS]) for n, app in enumerate(apps)])

    fresh = RegistrationApplication(eventstore_env(pg_settings, RegistrationApplication.name))
    statuses = Counter(fresh.participant(tenant, pid).status for pid in people)
    press = [pid for n, pid in enumerate(people) if n % 3 == 0]
    press_approved = sum(
        fresh.participant(tenant, pid).status is ParticipantStatus.APPROVED for pid in press
    )
    assert statuses[ParticipantStatus.APPROVED] == 5
    assert press_approved == 2
    assert fresh.seats_taken(tenant, event_id) == 5
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
