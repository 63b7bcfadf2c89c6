"""A bulk operation's items: selected, claimed in chunks, recorded, cancelled, retried, undone."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.operations.application import OperationsApplication
from domain.operations.bulk import (
    BulkOperation,
    ItemResult,
    NothingToDo,
    OperationEnded,
    OperationState,
    Outcome,
    UnknownOperation,
)
from domain.shared.errors import RuleViolation

STAFF = "api-key:staff"


@pytest.fixture
def app() -> OperationsApplication:
    return OperationsApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})


def requested(app: OperationsApplication, tenant: UUID, kind: str = "cancel") -> UUID:
    return app.request_bulk(
        tenant, uuid4(), kind, {"reason": None}, {"filter": {}}, False, STAFF
    ).aggregate_id


def run(
    app: OperationsApplication, operation_id: UUID, result: ItemResult, count: int = 2
) -> list[tuple[int, UUID]]:
    claimed = app.claim_items(operation_id, count)
    undo = {"value": "before"} if result is ItemResult.OK else None
    outcomes = [Outcome(i, p, result, undo=undo) for i, p in claimed]
    app.record_outcomes(operation_id, outcomes)
    return claimed


def test_items_run_in_claimed_chunks_and_the_operation_ends_with_its_last_result(
    app: OperationsApplication,
) -> None:
    tenant = uuid4()
    operation_id = requested(app, tenant)
    people = [uuid4() for _ in range(5)]
    assert app.bulk_operation(tenant, operation_id).state is OperationState.QUEUED

    app.select_items(operation_id, [*people, people[0]], complete=True)
    run(app, operation_id, ItemResult.OK)
    run(app, operation_id, ItemResult.REFUSED)
    operation = app.bulk_operation(tenant, operation_id)
    assert (operation.state, operation.total, operation.remaining()) == (
        OperationState.RUNNING,
        5,
        1,
    )
    run(app, operation_id, ItemResult.OK)

    ended = app.bulk_operation(tenant, operation_id)
    assert ended.state is OperationState.COMPLETED_WITH_ERRORS
    assert ended.counts == {"ok": 3, "refused": 2, "skipped": 0}
    assert [p for _, p in ended.refused_items()] == people[2:4]


def test_a_claimed_chunk_stays_in_doubt_until_its_results_are_recorded(
    app: OperationsApplication,
) -> None:
    tenant = uuid4()
    operation_id = requested(app, tenant)
    app.select_items(operation_id, [uuid4() for _ in range(3)], complete=True)
    first = app.claim_items(operation_id, 2)

    # An executor that stopped here claims again: it gets the same items back.
    assert app.claim_items(operation_id, 2) == first
    assert app.bulk_operation(tenant, operation_id).in_doubt() == first
    with pytest.raises(RuleViolation):
        app.record_outcomes(operation_id, [Outcome(first[0][0], uuid4(), ItemResult.OK)])


def test_a_cancelled_operation_skips_the_items_not_begun(app: OperationsApplication) -> None:
    tenant = uuid4()
    operation_id = requested(app, tenant)
    app.select_items(operation_id, [uuid4() for _ in range(4)], complete=True)
    run(app, operation_id, ItemResult.OK, count=1)
    app.cancel_bulk(tenant, operation_id, STAFF)

    operation = app.bulk_operation(tenant, operation_id)
    assert operation.state is OperationState.CANCELLED
    assert operation.counts == {"ok": 1, "refused": 0, "skipped": 3}
    with pytest.raises(OperationEnded):
        app.cancel_bulk(tenant, operation_id, STAFF)


def test_a_retry_runs_only_the_refused_items_and_an_undo_only_the_applied(
    app: OperationsApplication,
) -> None:
    tenant = uuid4()
    operation_id = requested(app, tenant, kind="set-field")
    people = [uuid4() for _ in range(4)]
    app.select_items(operation_id, people, complete=True)
    with pytest.raises(RuleViolation):
        app.retry_bulk(tenant, operation_id, STAFF)  # still running
    run(app, operation_id, ItemResult.OK)
    run(app, operation_id, ItemResult.REFUSED)

    retry = app.bulk_operation(tenant, app.retry_bulk(tenant, operation_id, STAFF).aggregate_id)
    undo = app.bulk_operation(
        tenant, app.undo_bulk(tenant, operation_id, "set-field", STAFF).aggregate_id
    )

    assert (retry.kind, retry.source_id, retry.relation) == ("set-field", operation_id, "retry")
    assert [UUID(t) for t in retry.targets] == people[2:]
    assert (undo.relation, [UUID(t) for t in undo.targets]) == ("undo", people[:2])
    assert [u for _, _, u in app.bulk_operation(tenant, operation_id).undoable_items()] == [
        {"value": "before"}
    ] * 2
    with pytest.raises(RuleViolation):
        app.undo_bulk(tenant, operation_id, None, STAFF)
    run(app, retry.id, ItemResult.OK)
    with pytest.raises(NothingToDo):
        app.retry_bulk(tenant, retry.id, STAFF)


def test_another_tenants_operation_is_not_found(app: OperationsApplication) -> None:
    operation_id = requested(app, uuid4())
    with pytest.raises(UnknownOperation):
        app.bulk_operation(uuid4(), operation_id)


def test_a_large_selection_is_recorded_in_chunks_and_copies_share_its_items() -> None:
    operation = BulkOperation(
        tenant_id=uuid4(),
        event_id=uuid4(),
        kind="cancel",
        params={},
        selection={"filter": {}},
        dry_run=False,
        actor=STAFF,
        source_id=None,
        relation=None,
    )
    operation.select([uuid4() for _ in range(1_200)], complete=True)
    selected = [e for e in operation.collect_events() if isinstance(e, BulkOperation.ItemsSelected)]
    assert [len(e.participant_ids) for e in selected] == [500, 500, 200]
    assert [e.first for e in selected] == [0, 500, 1000]
    assert operation.total == 1_200


def test_an_operation_past_its_snapshot_interval_loads_with_its_items_and_the_chunk_in_doubt(
    app: OperationsApplication,
) -> None:
    tenant = uuid4()
    operation_id = requested(app, tenant, kind="set-field")
    people = [uuid4() for _ in range(60)]
    app.select_items(operation_id, people, complete=True)
    for _ in range(28):
        run(app, operation_id, ItemResult.OK, count=1)
    run(app, operation_id, ItemResult.REFUSED, count=1)
    claimed = app.claim_items(operation_id, 3)  # version 61: a snapshot was taken at 50

    stored = app.snapshots.get(operation_id, desc=True, limit=1) if app.snapshots else ()
    snapshot = next(iter(stored))
    assert snapshot.originator_version == 50
    loaded = app.repository.get(operation_id, version=61)  # from the snapshot, then onwards
    live = app.bulk_operation(tenant, operation_id)

    assert isinstance(loaded, BulkOperation)
    assert loaded.in_doubt() == live.in_doubt() == claimed
    assert (loaded.counts, loaded.refused_items()) == (live.counts, live.refused_items())
    assert loaded.undoable_items() == live.undoable_items()
    app.record_outcomes(operation_id, [Outcome(i, p, ItemResult.OK) for i, p in claimed])
