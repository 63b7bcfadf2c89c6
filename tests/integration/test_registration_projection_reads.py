"""The registration projection reads what a batch needs in a few statements, however big it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, event

from adapters.projection.runner import ProjectionRunner
from adapters.projection.sql_projection import SqlProjection
from adapters.registration.view import SqlRegistrationView
from adapters.settings import Settings
from domain.registration.application import RegistrationApplication
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.registration.projector import RegistrationProjector
from tests.workflows import screening_then_two_checks

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
# Larger than any phase's notifications (a command also writes index and seat domain
# events), so each phase is projected in one batch.
BATCH = 10_000
# Reading the tracking position, the participants, their workflow versions, and the
# announcement of progress (PostgreSQL's pg_notify is a SELECT).
FEW = 4


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    with build(any_settings) as container:
        yield container


@contextmanager
def selects_sent(engine: Engine) -> Iterator[list[str]]:
    """The SELECT statements the engine sends inside the block."""
    selects: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield selects
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def selects_per_phase(container: Container, participants: int) -> dict[str, int]:
    """The SELECTs of the one batch that projects each phase's domain events."""
    app = container.app(RegistrationApplication)
    tenant = uuid4()
    workflow = screening_then_two_checks()
    event_id = app.create_event(
        tenant,
        f"Expo of {participants}",
        START,
        START + timedelta(days=1),
        "UTC",
        workflow=workflow,
    ).aggregate_id
    app.open_registration(tenant, event_id)
    runner: ProjectionRunner[SqlRegistrationView] = SqlProjection(
        container.engine,
        RegistrationProjector(),
        SqlRegistrationView,
        container.applications,
        batch_size=BATCH,
    ).runner()
    runner.catch_up()
    people: list[UUID] = []

    def register() -> None:
        for n in range(participants):
            details = {"first_name": "P", "last_name": f"N{n}", "email": f"p{n}@example.org"}
            people.append(app.register(tenant, event_id, details).aggregate_id)

    phases: dict[str, Callable[[], object]] = {
        "registrations": register,
        "step completions": lambda: [
            app.complete_step(tenant, p, "screening", "approved") for p in people
        ],
        "detail updates": lambda: [
            app.update_participant(tenant, p, {"last_name": f"M{n}"}) for n, p in enumerate(people)
        ],
        "withdrawals": lambda: [app.withdraw(tenant, p, "plans changed") for p in people],
    }
    counts: dict[str, int] = {}
    for phase, write in phases.items():
        write()
        with selects_sent(container.engine) as selects:
            assert runner.run_batch() >= participants
        counts[phase] = len(selects)
        assert runner.run_batch() == 0
    return counts


def test_a_batch_runs_as_few_selects_for_500_participants_as_for_50(
    container: Container,
) -> None:
    few = selects_per_phase(container, 50)
    many = selects_per_phase(container, 500)

    assert many == few
    assert all(count <= FEW for count in many.values()), many
