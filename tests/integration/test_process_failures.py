"""A domain event a process (policy) cannot take stops it there, visibly, and never for good.

Like a projection's, the failure is recorded where every process sees it: `/ready`
answers 503 naming it, the process backs off, and the batch that gets past the
domain event clears it. What came before it is handled once, not again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import DomainEventProtocol
from falcon.testing import TestClient

from adapters.projection.failures import ProjectionFailed, failures
from adapters.projection.process import ProcessRunner
from adapters.settings import Settings
from domain.registration.application import RegistrationApplication
from domain.registration.participant import Participant
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.unit.http import expect

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


class Handler:
    """Takes participants' registrations, and cannot take the one it is told to refuse."""

    def __init__(self) -> None:
        self.taken: list[UUID] = []
        self.refuses: UUID | None = None

    def __call__(self, domain_event: DomainEventProtocol[Any]) -> None:
        if domain_event.originator_id == self.refuses:
            raise ValueError("cannot take this one")
        self.taken.append(domain_event.originator_id)


def registered(container: Container, count: int) -> list[UUID]:
    registration = container.app(RegistrationApplication)
    tenant = uuid4()
    event = registration.create_event(
        tenant, "Expo", START, START + timedelta(hours=8), "UTC"
    ).aggregate_id
    registration.open_registration(tenant, event)
    return [
        registration.register(
            tenant, event, {"first_name": "P", "last_name": str(n), "email": f"p{n}@x.org"}
        ).aggregate_id
        for n in range(count)
    ]


def test_a_process_stops_before_what_it_cannot_take_and_readiness_says_so(
    container: Container,
) -> None:
    first, poison, last = registered(container, 3)
    handler = Handler()
    handler.refuses = poison
    runner = ProcessRunner(
        container.service_engine,
        "probe",
        container.app(RegistrationApplication),
        {Participant.Registered},
        handler,
        failures=container.engine,
    )

    with pytest.raises(ProjectionFailed, match="process:probe cannot apply registration:"):
        runner.run_batch()
    ready = TestClient(create_app(container)).simulate_get("/ready")

    assert handler.taken == [first]
    (failure,) = failures(container.engine)
    assert (failure.projection, failure.upstream) == ("process:probe", "registration")
    assert failure.position == runner.position() + 1
    assert "ValueError: cannot take this one" in failure.error
    body = expect.problem(ready, 503, "service-unavailable")
    assert "process:probe" in body["checks"]["projections"]

    handler.refuses = None
    runner.catch_up()

    assert handler.taken == [first, poison, last]
    assert failures(container.engine) == []
