"""A command decides on the aggregate as stored, even while another thread brings it up to date.

Each process caches aggregates and fast-forwards a cached one with the domain
events other processes recorded since. While one thread fast-forwards, another
that loads the same aggregate must wait for it, not decide on the state it had.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.registration.application import RegistrationApplication
from domain.registration.managed_event import RegistrationClosed
from tests.workflows import screening_then_two_checks

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
HOLD_SECONDS = 1.0  # how long the other thread keeps fast-forwarding (it then lets go)


@pytest.fixture
def two_processes(any_settings: Settings) -> Iterator[tuple[RegistrationApplication, ...]]:
    env = eventstore_env(any_settings, RegistrationApplication.name)
    apps = (RegistrationApplication(env), RegistrationApplication(env))
    yield apps
    for app in apps:
        app.close()


def _open_event(app: RegistrationApplication, tenant: UUID) -> UUID:
    event_id = app.create_event(tenant, "Expo", START, START + timedelta(hours=8), "UTC")
    app.open_registration(tenant, event_id.aggregate_id)
    return event_id.aggregate_id


def _while_fast_forwarding(app: RegistrationApplication, aggregate_id: UUID) -> None:
    """Another thread of the process is bringing the cached aggregate up to date."""
    lock = app.repository._use_fastforward_lock(aggregate_id)
    lock.acquire()
    threading.Timer(HOLD_SECONDS, lock.release).start()


def test_completing_a_step_of_a_workflow_version_published_elsewhere_waits_for_it(
    two_processes: tuple[RegistrationApplication, RegistrationApplication],
) -> None:
    here, elsewhere = two_processes
    tenant = uuid4()
    event_id = _open_event(here, tenant)
    here.event(tenant, event_id)  # this process has the event, with workflow 1, cached
    elsewhere.publish_workflow(tenant, event_id, screening_then_two_checks())
    participant = elsewhere.register(tenant, event_id, ADA).aggregate_id

    _while_fast_forwarding(here, event_id)
    ack = here.complete_step(tenant, participant, "screening", "approved")

    assert ack.aggregate.workflow_version == 2
    assert sorted(ack.aggregate.run.active_steps) == ["documents", "security"]


def test_registering_while_the_event_closes_elsewhere_is_refused(
    two_processes: tuple[RegistrationApplication, RegistrationApplication],
) -> None:
    here, elsewhere = two_processes
    tenant = uuid4()
    event_id = _open_event(here, tenant)
    here.event(tenant, event_id)  # cached here as open
    elsewhere.close_registration(tenant, event_id)

    _while_fast_forwarding(here, event_id)
    with pytest.raises(RegistrationClosed):
        here.register(tenant, event_id, ADA)

    assert here.event(tenant, event_id).registration == "closed"
