"""A full rescan of duplicates is a rebuild of their projection: it finds what live detection did.

Registrations, changes, withdrawals, reviews and a scope change, projected as they
happen, then the same history built at once and rebuilt for a new version (in small
batches, so the registration and screening logs interleave otherwise): same tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from adapters.projection.build_area import build_area
from adapters.projection.rebuild import rebuild_if_outdated
from adapters.projection.sql_projection import SqlProjection
from adapters.screening.duplicate_queries import DuplicateQueries
from adapters.screening.duplicate_view import SqlDuplicatesView
from adapters.settings import Settings
from domain.registration.application import RegistrationApplication
from domain.screening.application import ScreeningApplication
from domain.screening.pair_review import Decision
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.screening.duplicates import DuplicatesProjector
from tests.integration.test_projection_equivalence import state

PEOPLE: list[dict[str, Any]] = [
    {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1985-12-10"},
    {"first_name": "Adda", "last_name": "Lovelace", "date_of_birth": "1985-12-10"},
    {"first_name": "Augusta", "last_name": "Lovelace", "date_of_birth": "1985-12-10"},
    {"first_name": "Grace", "last_name": "Hopper", "phone": "+1 202 555 0147"},
    {"first_name": "Hopper", "last_name": "Grace", "phone": "2025550147", "nationality": "US"},
    {"first_name": "Ольга", "last_name": "Петрова", "date_of_birth": "1990-03-04"},
    {"first_name": "Olga", "last_name": "Petrova", "date_of_birth": "1990-04-03"},
    {"first_name": "Alan", "last_name": "Turing", "document_number": "P 123 456"},
    {"first_name": "Alan M", "last_name": "Turing", "document_number": "P123456"},
    {"first_name": "Edsger", "last_name": "Dijkstra"},
]


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


def duplicates_at(container: Container, version: int, batch_size: int = 3) -> SqlProjection:
    projector = type(f"DuplicatesV{version}", (DuplicatesProjector,), {"version": version})
    return SqlProjection(
        container.engine,
        projector(),
        SqlDuplicatesView,
        container.applications,
        batch_size=batch_size,
    )


def history(container: Container, live: SqlProjection) -> None:
    """People of two events register, change, leave and are reviewed, projected as it goes."""
    registration, screening = (
        container.app(RegistrationApplication),
        container.app(ScreeningApplication),
    )
    tenant = container.platform.create_tenant("Acme", ()).aggregate_id
    start = datetime(2031, 6, 1, 9, tzinfo=UTC)
    events = []
    for name in ("Expo", "Summit"):
        ends = start + timedelta(days=2)
        event = registration.create_event(tenant, name, start, ends, "UTC").aggregate_id
        registration.open_registration(tenant, event)
        events.append(event)
    ids: list[UUID] = []
    for number, person in enumerate(PEOPLE):
        details = {**person, "email": f"person{number}@example.org"}
        if "date_of_birth" in details:
            details["date_of_birth"] = date.fromisoformat(details["date_of_birth"])
        ids.append(registration.register(tenant, events[number % 2], details).aggregate_id)
        live.runner().catch_up()
    queries = DuplicateQueries(container.engine)
    screening.set_duplicate_scope(tenant, "tenant")
    live.runner().catch_up()
    pairs = queries.candidates(tenant, 100).items
    assert len(pairs) >= 3
    for pair, decision in zip(pairs, (Decision.DISMISSED, Decision.CONFIRMED), strict=False):
        screening.review_pair(tenant, pair.id, pair.participant_ids, decision, pair.fingerprint)
    live.runner().catch_up()
    registration.update_participant(tenant, ids[0], {"date_of_birth": date(1985, 12, 11)})
    registration.update_participant(tenant, ids[9], {"first_name": "Edsgar"})
    registration.withdraw(tenant, ids[4])
    live.runner().catch_up()


def test_a_rescan_finds_the_pairs_live_detection_found(container: Container) -> None:
    live = duplicates_at(container, 1)
    history(container, live)
    built_live = state(container.engine, live)

    at_once = build_area(container.engine, "duplicates_at_once_test")
    try:
        at_once.create(live.tables)
        live.runner(at_once.engine, announce=False).catch_up()
        built_at_once = state(at_once.engine, live)
    finally:
        at_once.drop()
    rebuilt_projection = duplicates_at(container, 2)
    assert rebuild_if_outdated(rebuilt_projection)
    rebuilt = state(container.engine, rebuilt_projection)

    assert built_at_once == built_live
    assert rebuilt == built_live
    candidates = built_live[3]
    assert candidates, "the history raises pairs"


def test_a_rescan_in_one_batch_finds_what_detection_one_change_at_a_time_did(
    container: Container,
) -> None:
    # One batch holds registrations, changes and withdrawals of the same people: each
    # detection reads the blocks, counts and pairs the batch's earlier ones changed.
    live = duplicates_at(container, 1, batch_size=1)
    history(container, live)
    built_live = state(container.engine, live)
    rebuilt_projection = duplicates_at(container, 2, batch_size=1000)
    assert rebuild_if_outdated(rebuilt_projection)
    assert state(container.engine, rebuilt_projection) == built_live
