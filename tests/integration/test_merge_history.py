"""The merge history and the merged participants' rows on both stores, and their rebuild."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from adapters.projection.verify import verify
from adapters.registration.queries import RegistrationQueries
from adapters.screening.merge_queries import MergeQueries
from adapters.settings import Settings
from domain.registration.application import RegistrationApplication
from domain.shared.cause import Cause, caused_by
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

START = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


def test_merges_are_listed_read_and_rebuilt_alike_and_merged_rows_name_the_survivor(
    container: Container,
) -> None:
    registration = container.app(RegistrationApplication)
    tenant = uuid4()
    event_id = registration.create_event(
        tenant, "Expo", START, START + timedelta(hours=8), "UTC"
    ).aggregate_id
    registration.open_registration(tenant, event_id)

    def register(email: str) -> UUID:
        details = {"first_name": "Ada", "last_name": "Lovelace", "email": email}
        return registration.register(tenant, event_id, details).aggregate_id

    a, b, c, d = (register(f"{n}@example.org") for n in "abcd")
    with caused_by(Cause("api-key:reviewer", "merge-1")):
        first = registration.merge_participants(tenant, a, b, {"email": "absorbed"}).aggregate_id
        second = registration.merge_participants(tenant, c, d).aggregate_id
        registration.unmerge(tenant, second)
    container.catch_up()

    merges = container.query(MergeQueries)
    page = merges.merges(tenant, 10, None)
    assert [m.id for m in page.items] == [first, second]
    assert [m.id for m in merges.merges(tenant, 10, None, participant_id=b).items] == [first]
    assert merges.merges(tenant, 10, None, event_id=uuid4()).items == []
    assert merges.merges(uuid4(), 10, None).items == []
    one = merges.merge(tenant, first)
    assert one is not None
    assert (one.survivor_id, one.absorbed_id, one.status) == (a, b, "merged")
    assert one.chosen["email"] == "absorbed"
    assert one.merged_by == "api-key:reviewer"
    undone = merges.merge(tenant, second)
    assert undone is not None
    assert (undone.status, undone.unmerged_by, undone.version) == (
        "unmerged",
        "api-key:reviewer",
        2,
    )
    assert undone.unmerged_at is not None
    participants = container.query(RegistrationQueries)
    absorbed = participants.participant(tenant, b)
    survivor = participants.participant(tenant, a)
    assert absorbed is not None
    assert survivor is not None
    assert (absorbed.status, absorbed.survivor_id) == ("merged", a)
    assert (survivor.email, survivor.survivor_id) == ("b@example.org", None)
    restored = participants.participant(tenant, d)
    assert restored is not None
    assert (restored.status, restored.survivor_id) == ("pending", None)
    for projection in container.sql_projections():
        if projection.name in ("merges", "registration"):
            assert list(verify(projection)) == [], projection.name
