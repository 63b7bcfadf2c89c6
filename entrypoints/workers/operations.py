"""The bulk executor: carries out queued bulk operations, a chunk at a time, exactly once per item.

It finds the operations to run in the operations view, resolves each one's selection
(a filter is read from the participants view), then applies its items in chunks
through the kinds' own commands, every domain event of an item caused by the item
(its causation id names the operation and the item). A chunk is claimed before its
items run and its results recorded after: an executor killed in between finds the
chunk in doubt and, item by item, asks the kind whether the item's domain event is
recorded already before applying it, so nothing is done twice. Operations side by
side take turns a chunk each; a chunk is sized to take about 0.3 seconds, so the
progress the API shows is never a second stale. One executor leads at a time across
hosts; `serve` supervises it, and `accredit worker operations` runs it alone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from adapters.operations.queries import BulkQueries
from adapters.projection.leadership import leadership_for, wait_to_lead
from adapters.registration.queries import RegistrationQueries
from adapters.registration.rows import ParticipantFilter
from domain.operations.application import OperationsApplication
from domain.operations.bulk import CHUNK_MAX, BulkOperation, ItemResult, Outcome, Relation
from domain.shared.application import batched, rehearsal
from domain.shared.bulk_kinds import BulkItem, BulkKind
from domain.shared.cause import Cause, caused_by
from domain.shared.errors import DomainError
from entrypoints.http.problems import register_problem_types, slug_of
from entrypoints.wiring.container import Container

log = logging.getLogger("accredit.workers")

LEADERSHIP = ("bulk-operations", 1)
# What a chunk should take: progress is recorded after each, and the API's view of it must
# never be a second stale (the projection adds its own lag).
CHUNK_SECONDS = 0.3
FIRST_CHUNK = 10
LOOK_SECONDS = 0.5  # how often an idle executor looks for new operations
ACTIVE_BATCH = 100
SELECTION_PAGE = 500
RECOVERED = "applied before the executor restarted"

# Resolves a filter: (tenant, event, filter, cursor) -> (participant ids, next cursor).
Selector = Callable[[UUID, UUID, dict[str, Any], str | None], tuple[list[UUID], str | None]]


def view_selector(participants: RegistrationQueries) -> Selector:
    """Selects by the participants query's own filter, a page at a time."""

    def select(
        tenant_id: UUID, event_id: UUID, where: dict[str, Any], cursor: str | None
    ) -> tuple[list[UUID], str | None]:
        page = participants.participants(
            tenant_id, event_id, ParticipantFilter(**where), SELECTION_PAGE, cursor
        )
        return [row.id for row in page.items], page.next_cursor

    return select


@dataclass
class Executor:
    """Runs operations' items through their kinds."""

    operations: OperationsApplication
    kinds: Mapping[str, BulkKind]
    select: Selector
    # Seconds an item of each operation took lately, and its last chunk's size, to size
    # the next chunk (which at most doubles: a fast chunk may have been a lucky one).
    pace: dict[UUID, float] = field(default_factory=dict)
    sizes: dict[UUID, int] = field(default_factory=dict)

    def step(self, operation_id: UUID) -> bool:
        """Moves the operation on by one chunk; False once it has nothing more to do."""
        operation = self.operations.load(BulkOperation, operation_id, readonly=True)
        if operation.state.ended:
            self.pace.pop(operation_id, None)
            self.sizes.pop(operation_id, None)
            return False
        kind = self.kinds.get(operation.kind)
        if kind is None:
            self.operations.fail_bulk(operation_id, f"no bulk action is named {operation.kind}")
            return False
        if operation.claimed is None and operation.cancel_requested:
            self.operations.end_cancelled(operation_id)
            return False
        if not operation.selected:
            self._select(operation)
            return True
        recovering = operation.claimed is not None
        began = time.monotonic()
        claimed = self.operations.claim_items(operation_id, self._chunk(operation_id))
        if not claimed:
            return False
        source = self._source(operation)
        outcomes = None
        application = kind.batch_application
        if application is not None and not operation.dry_run and not recovering:
            # The chunk's domain events in one transaction: far fewer commits than items.
            with batched(application) as batch:
                outcomes = [self._run(operation, source, kind, i, p, False) for i, p in claimed]
            if not batch.save():
                outcomes = None  # another writer came first: nothing was saved
        if outcomes is None:
            outcomes = [self._run(operation, source, kind, i, p, recovering) for i, p in claimed]
        self.pace[operation_id] = (time.monotonic() - began) / len(claimed)
        self.sizes[operation_id] = len(claimed)
        self.operations.record_outcomes(operation_id, outcomes)
        return True

    def _chunk(self, operation_id: UUID) -> int:
        per_item = self.pace.get(operation_id)
        if per_item is None:
            return FIRST_CHUNK
        fits = int(CHUNK_SECONDS / max(per_item, 1e-6))
        grown = 2 * self.sizes.get(operation_id, FIRST_CHUNK)
        return max(1, min(CHUNK_MAX, fits, grown))

    def _select(self, operation: BulkOperation) -> None:
        """Records the selection: the ids given, or the filter's participants, page by page."""
        selection = operation.selection
        if "participant_ids" in selection:
            ids = [UUID(str(p)) for p in selection["participant_ids"]]
            self.operations.select_items(operation.id, ids, complete=True)
            return
        cursor: str | None = None
        while True:
            ids, cursor = self.select(
                operation.tenant_id, operation.event_id, selection["filter"], cursor
            )
            self.operations.select_items(operation.id, ids, complete=cursor is None)
            if cursor is None:
                return

    def _source(self, operation: BulkOperation) -> list[dict[str, Any]] | None:
        """For an undo: what each item of the operation undone left for its compensation."""
        if operation.relation != Relation.UNDO.value or operation.source_id is None:
            return None
        source = self.operations.load(BulkOperation, operation.source_id, readonly=True)
        return [undo for _, _, undo in source.undoable_items()]

    def _run(
        self,
        operation: BulkOperation,
        undos: list[dict[str, Any]] | None,
        kind: BulkKind,
        index: int,
        participant_id: UUID,
        recovering: bool,
    ) -> Outcome:
        item = BulkItem(
            tenant_id=operation.tenant_id,
            event_id=operation.event_id,
            participant_id=participant_id,
            params=operation.params,
            undo=undos[index] if undos is not None else {},
        )
        causation = f"bulk-operation:{operation.id}:{index}"
        cause = Cause(operation.actor, f"bulk-operation:{operation.id}", causation)
        with caused_by(cause):
            try:
                if operation.dry_run:
                    with rehearsal():
                        kind.apply(item)
                    return Outcome(index, participant_id, ItemResult.OK)
                if recovering and kind.applied(item, causation):
                    return Outcome(index, participant_id, ItemResult.OK, detail=RECOVERED)
                undo = kind.apply(item)
            except DomainError as refusal:
                return Outcome(
                    index,
                    participant_id,
                    ItemResult.REFUSED,
                    problem=slug_of(refusal),
                    code=refusal.code,
                    detail=refusal.detail[:1000],
                )
        return Outcome(index, participant_id, ItemResult.OK, undo=undo)


def run_pending(executor: Executor, queries: BulkQueries, stop: threading.Event) -> int:
    """Runs the active operations, a chunk each in turn, until none has work or stop is set;
    returns how many chunks ran."""
    chunks = 0
    while not stop.is_set():
        active = [op for _, op in queries.active(ACTIVE_BATCH)]
        moved = 0
        for operation_id in active:
            if stop.is_set():
                break
            try:
                moved += executor.step(operation_id)
            except DomainError:
                # Ended or cancelled between the view and the command: the view will say.
                log.info("bulk operation %s: nothing to do now", operation_id)
        chunks += moved
        if not moved:
            return chunks
    return chunks


def run_operations(container: Container, stop: threading.Event) -> None:
    """Carries out bulk operations while it leads, until stopped."""
    for context in container.contexts:
        # The items' refusals are recorded with the problem types the API answers with.
        register_problem_types(context.problems.types, context.problems.errors)
    executor = Executor(
        operations=container.app(OperationsApplication),
        kinds=container.bulk_kinds(),
        select=view_selector(container.query(RegistrationQueries)),
    )
    queries = container.query(BulkQueries)
    leadership = leadership_for(container.engine, *LEADERSHIP)
    try:
        while wait_to_lead(leadership, stop, "bulk operations"):
            while not stop.is_set() and leadership.leading():
                try:
                    run_pending(executor, queries, stop)
                except Exception:
                    log.exception("bulk operations: could not run the operations; retrying")
                stop.wait(LOOK_SECONDS)
            leadership.step_down()
    finally:
        leadership.close()
