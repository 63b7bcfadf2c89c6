"""The screening application's review and settings commands on the in-memory event store."""

from __future__ import annotations

import uuid

import pytest

from domain.screening.application import ScreeningApplication
from domain.screening.pair_review import Decision, PairReview, pair_id
from domain.screening.screening_settings import DuplicateScope
from domain.shared.cause import Cause, caused_by
from domain.shared.errors import InvalidValue, NotFound

IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture
def screening() -> ScreeningApplication:
    return ScreeningApplication(IN_MEMORY)


def test_a_pair_has_one_id_whichever_order_its_participants_come_in() -> None:
    one, other = uuid.uuid4(), uuid.uuid4()
    assert pair_id(one, other) == pair_id(other, one) != pair_id(one, uuid.uuid4())


def test_a_decision_records_who_made_it_on_which_records_and_is_not_repeated(
    screening: ScreeningApplication,
) -> None:
    tenant, people = uuid.uuid4(), [uuid.uuid4(), uuid.uuid4()]
    pair = pair_id(*people)
    with caused_by(Cause("api-key:reviewer", "c1")):
        first = screening.review_pair(tenant, pair, people, Decision.DISMISSED, "f1", " twins ")
        again = screening.review_pair(tenant, pair, people, Decision.DISMISSED, "f1", "twins")
        later = screening.review_pair(tenant, pair, people, Decision.CONFIRMED, "f2")

    assert first.position is not None
    assert again.position is None  # the same decision on the same records: nothing new
    events = list(screening.events.get(first.aggregate_id))
    assert [type(e) for e in events] == [
        PairReview.Opened,
        PairReview.Dismissed,
        PairReview.Confirmed,
    ]
    dismissed = events[1]
    assert isinstance(dismissed, PairReview.Dismissed)
    assert (dismissed.actor, dismissed.comment, dismissed.fingerprint) == (
        "api-key:reviewer",
        "twins",
        "f1",
    )
    assert later.aggregate.decision is Decision.CONFIRMED


def test_another_tenant_cannot_review_a_tenants_pair(screening: ScreeningApplication) -> None:
    people = [uuid.uuid4(), uuid.uuid4()]
    pair = pair_id(*people)
    screening.review_pair(uuid.uuid4(), pair, people, Decision.CONFIRMED, "f1")

    with pytest.raises(NotFound):
        screening.review_pair(uuid.uuid4(), pair, people, Decision.DISMISSED, "f1")


def test_the_duplicate_scope_is_event_until_set(screening: ScreeningApplication) -> None:
    tenant = uuid.uuid4()
    assert screening.duplicate_scope(tenant) is DuplicateScope.EVENT

    screening.set_duplicate_scope(tenant, "tenant")

    assert screening.duplicate_scope(tenant) is DuplicateScope.TENANT
    with pytest.raises(InvalidValue):
        screening.set_duplicate_scope(tenant, "world")
