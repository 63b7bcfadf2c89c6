"""The bulk operation read models on both stores: each operation's row and counts follow it
from its request to its end, its items page by index, and a rebuild gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest

from adapters.operations.queries import BulkQueries, ItemRow, OperationRow
from adapters.projection.verify import verify
from adapters.settings import Settings
from adapters.sql.paging import BadCursor, encode_cursor
from domain.operations.application import OperationsApplication
from domain.operations.bulk import ItemResult, Outcome
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

STAFF = "api-key:staff"
EXECUTOR = "system"
KIND = "complete-step"
PARAMS = {"step_id": "badge-photo", "outcome": "approved", "comment": None}


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


def request(
    operations: OperationsApplication, tenant_id: UUID, event_id: UUID, dry_run: bool = False
) -> UUID:
    ack = operations.request_bulk(
        tenant_id, event_id, KIND, PARAMS, {"filter": {"status": "PENDING"}}, dry_run, STAFF
    )
    return ack.aggregate_id


def row(queries: BulkQueries, tenant_id: UUID, operation_id: UUID) -> OperationRow:
    found = queries.operation(tenant_id, operation_id)
    assert found is not None
    return found


def every_item(
    queries: BulkQueries, tenant_id: UUID, operation_id: UUID, limit: int, result: str | None = None
) -> list[ItemRow]:
    """The items query's answer, page after page."""
    items: list[ItemRow] = []
    cursor = None
    while True:
        page = queries.items(tenant_id, operation_id, limit, cursor, result)
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def assert_rebuild_equals_live(container: Container) -> None:
    [projection] = [p for p in container.sql_projections() if p.name == "bulk_operations"]
    assert list(verify(projection)) == []


def test_an_operation_and_its_items_follow_it_through_selection_chunks_and_cancel(
    container: Container,
) -> None:
    operations = container.app(OperationsApplication)
    queries = container.query(BulkQueries)
    tenant, event = uuid4(), uuid4()
    people = [uuid4() for _ in range(5)]
    operation_id = request(operations, tenant, event)
    container.catch_up()

    queued = row(queries, tenant, operation_id)
    assert (queued.state, queued.total, queued.done, queued.remaining) == ("QUEUED", None, 0, None)
    assert (queued.kind, queued.params, queued.actor) == (KIND, PARAMS, STAFF)
    assert queued.selection == {"filter": {"status": "PENDING"}}
    assert (queued.dry_run, queued.source_id, queued.relation) == (False, None, None)
    assert queued.started_at is None
    assert queued.ended_at is None
    assert queued.updated_at == queued.requested_at
    assert (queued.version, queued.cancel_requested) == (1, False)
    assert queries.items(tenant, operation_id, 10, None).items == []
    assert queries.active(10) == [(tenant, operation_id)]

    # The selection arrives in two parts (a participant twice is one item).
    operations.select_items(operation_id, people[:3], complete=False)
    container.catch_up()
    running = row(queries, tenant, operation_id)
    assert (running.state, running.total, running.remaining) == ("RUNNING", None, None)
    assert running.started_at is not None
    assert running.started_at > running.requested_at
    operations.select_items(operation_id, [*people[3:], people[0]], complete=True)
    container.catch_up()
    selected = row(queries, tenant, operation_id)
    assert (selected.total, selected.remaining, selected.version) == (5, 5, 3)
    assert selected.started_at == running.started_at
    items = every_item(queries, tenant, operation_id, 2)
    assert [(i.index, i.participant_id, i.result) for i in items] == [
        (n, p, "pending") for n, p in enumerate(people)
    ]
    assert {(i.problem, i.detail, i.done_at) for i in items} == {(None, None, None)}

    # Two chunks: one item applied, one refused; then one applied, one skipped.
    assert operations.claim_items(operation_id, 2) == [(0, people[0]), (1, people[1])]
    container.catch_up()
    claimed = row(queries, tenant, operation_id)
    assert (claimed.done, claimed.version) == (0, 4)
    assert claimed.updated_at > selected.updated_at
    operations.record_outcomes(
        operation_id,
        [
            Outcome(0, people[0], ItemResult.OK, undo={"step_id": "badge-photo"}),
            Outcome(
                1,
                people[1],
                ItemResult.REFUSED,
                problem="conflict",
                code="step-closed",
                detail="the step is closed",
            ),
        ],
    )
    operations.claim_items(operation_id, 2)
    operations.record_outcomes(
        operation_id,
        [
            Outcome(2, people[2], ItemResult.OK),
            Outcome(3, people[3], ItemResult.SKIPPED, detail="nothing to do"),
        ],
    )
    container.catch_up()
    partway = row(queries, tenant, operation_id)
    assert (partway.ok, partway.refused, partway.skipped) == (2, 1, 1)
    assert (partway.done, partway.remaining, partway.state) == (4, 1, "RUNNING")
    refused = every_item(queries, tenant, operation_id, 10, "refused")
    assert [(i.index, i.problem, i.code, i.detail) for i in refused] == [
        (1, "conflict", "step-closed", "the step is closed")
    ]
    assert refused[0].done_at is not None
    assert [i.index for i in every_item(queries, tenant, operation_id, 1, "ok")] == [0, 2]
    assert [i.index for i in every_item(queries, tenant, operation_id, 10, "pending")] == [4]

    # Staff cancel it: the item not begun is skipped, and the operation ends.
    operations.cancel_bulk(tenant, operation_id, "api-key:other")
    container.catch_up()
    assert row(queries, tenant, operation_id).cancel_requested is True

    ended = row(queries, tenant, operation_id)
    assert (ended.state, ended.reason, ended.remaining) == ("CANCELLED", None, 0)
    assert (ended.ok, ended.refused, ended.skipped) == (2, 1, 2)
    assert ended.ended_at is not None
    assert ended.ended_at == ended.updated_at
    assert ended.version == operations.bulk_operation(tenant, operation_id).version
    last = every_item(queries, tenant, operation_id, 10, "skipped")
    assert [(i.index, i.detail) for i in last] == [(3, "nothing to do"), (4, "cancelled")]
    assert every_item(queries, tenant, operation_id, 10, "pending") == []
    assert queries.active(10) == []

    # Another tenant sees none of it.
    other = uuid4()
    assert queries.operation(other, operation_id) is None
    assert queries.items(other, operation_id, 10, None).items == []
    assert queries.operations(other, 10, None).items == []

    assert_rebuild_equals_live(container)


def test_a_retry_asked_for_and_run_within_one_batch_ends_with_its_items_and_counts(
    container: Container,
) -> None:
    operations = container.app(OperationsApplication)
    queries = container.query(BulkQueries)
    tenant, event = uuid4(), uuid4()
    people = [uuid4() for _ in range(3)]
    first = request(operations, tenant, event)
    operations.select_items(first, people, complete=True)
    operations.claim_items(first, 3)
    operations.record_outcomes(
        first,
        [
            Outcome(0, people[0], ItemResult.REFUSED, "conflict", detail="withdrawn"),
            Outcome(1, people[1], ItemResult.OK),
            Outcome(2, people[2], ItemResult.REFUSED, "conflict", detail="cancelled"),
        ],
    )
    # The retry is asked for, and its items selected, in one save.
    retry = operations.retry_bulk(tenant, first, STAFF).aggregate_id
    operations.claim_items(retry, 10)
    operations.record_outcomes(
        retry, [Outcome(0, people[0], ItemResult.OK), Outcome(1, people[2], ItemResult.OK)]
    )
    container.catch_up()

    done = row(queries, tenant, first)
    assert (done.state, done.total, done.ok, done.refused) == ("COMPLETED_WITH_ERRORS", 3, 1, 2)
    retried = row(queries, tenant, retry)
    assert (retried.state, retried.source_id, retried.relation) == ("COMPLETED", first, "retry")
    assert retried.selection == {"participant_ids": [str(people[0]), str(people[2])]}
    assert retried.started_at is not None
    assert retried.started_at >= retried.requested_at
    assert (retried.total, retried.ok, retried.remaining) == (2, 2, 0)
    items = every_item(queries, tenant, retry, 10)
    assert [(i.index, i.participant_id, i.result) for i in items] == [
        (0, people[0], "ok"),
        (1, people[2], "ok"),
    ]
    assert_rebuild_equals_live(container)


def test_operations_are_listed_newest_first_by_event_and_state_and_the_active_oldest_first(
    container: Container,
) -> None:
    operations = container.app(OperationsApplication)
    queries = container.query(BulkQueries)
    tenant, expo, fair = uuid4(), uuid4(), uuid4()
    failed = request(operations, tenant, expo)
    operations.fail_bulk(failed, "the filter names an unknown status")
    running = request(operations, tenant, fair)
    operations.select_items(running, [uuid4()], complete=True)
    queued = request(operations, tenant, expo, dry_run=True)
    elsewhere = request(operations, uuid4(), expo)
    container.catch_up()

    first = queries.operations(tenant, 2, None)
    rest = queries.operations(tenant, 2, first.next_cursor)
    assert [o.id for o in first.items + rest.items] == [queued, running, failed]
    assert rest.next_cursor is None
    assert [o.id for o in queries.operations(tenant, 10, None, event_id=expo).items] == [
        queued,
        failed,
    ]
    assert [o.id for o in queries.operations(tenant, 10, None, state="RUNNING").items] == [running]
    only = queries.operations(tenant, 10, None, event_id=expo, state="QUEUED").items
    assert [(o.id, o.dry_run) for o in only] == [(queued, True)]
    gone = row(queries, tenant, failed)
    assert (gone.state, gone.reason, gone.total) == (
        "FAILED",
        "the filter names an unknown status",
        None,
    )

    assert [o for _, o in queries.active(10)] == [running, queued, elsewhere]
    assert queries.active(1) == [(tenant, running)]
    assert_rebuild_equals_live(container)


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", encode_cursor("first"), encode_cursor("-1"), encode_cursor("1", "2")]
)
def test_a_tampered_items_cursor_is_refused(container: Container, cursor: str) -> None:
    with pytest.raises(BadCursor):
        container.query(BulkQueries).items(uuid4(), uuid4(), 10, cursor)


@pytest.mark.parametrize("cursor", ["not-a-cursor", encode_cursor("0"), encode_cursor("a", "b")])
def test_a_tampered_operations_cursor_is_refused(container: Container, cursor: str) -> None:
    with pytest.raises(BadCursor):
        container.query(BulkQueries).operations(uuid4(), 10, cursor)
