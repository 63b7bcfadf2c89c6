"""The operations context's application: bulk operations, in an event store of their own.

Bulk work never shares an event table with the hot paths: its domain events are
written here, and each item's action is written by its own context's command.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

from domain.operations.bulk import (
    BulkOperation,
    NothingToDo,
    OperationState,
    Outcome,
    Relation,
    UnknownOperation,
)
from domain.shared.application import AccreditApplication, Ack, retry_on_conflict
from domain.shared.errors import NotFound, RuleViolation

SELECTION_KEYS = ("participant_ids", "filter")


class OperationsApplication(AccreditApplication):
    """Long-running work asked for over the API and carried out by the executor."""

    name = "operations"
    aggregates = (BulkOperation,)
    snapshotting_intervals = {BulkOperation: 50}

    # Staff's commands

    def request_bulk(
        self,
        tenant_id: UUID,
        event_id: UUID,
        kind: str,
        params: dict[str, Any],
        selection: dict[str, Any],
        dry_run: bool,
        actor: str,
    ) -> Ack[BulkOperation]:
        """Queues an operation of a kind the caller checked, with its cleaned parameters."""
        if set(selection) - set(SELECTION_KEYS) or len(selection) != 1:
            raise RuleViolation("a selection is participant ids or a filter, one of them")
        if "participant_ids" in selection:
            selection = {"participant_ids": [str(p) for p in selection["participant_ids"]]}
        operation = BulkOperation(
            tenant_id=tenant_id,
            event_id=event_id,
            kind=kind,
            params=params,
            selection=selection,
            dry_run=dry_run,
            actor=actor,
            source_id=None,
            relation=None,
        )
        return self.ack(operation)

    def bulk_operation(self, tenant_id: UUID, operation_id: UUID) -> BulkOperation:
        """The tenant's operation (UnknownOperation for another tenant's)."""
        try:
            operation = self.load(BulkOperation, operation_id, readonly=True)
        except NotFound:
            raise UnknownOperation(f"no bulk operation with id {operation_id}") from None
        if operation.tenant_id != tenant_id:
            raise UnknownOperation(f"no bulk operation with id {operation_id}")
        return operation

    @retry_on_conflict
    def cancel_bulk(self, tenant_id: UUID, operation_id: UUID, actor: str) -> Ack[BulkOperation]:
        """Stops the operation: items not begun are skipped."""
        operation = self.load(BulkOperation, operation_id)
        if operation.tenant_id != tenant_id:
            raise UnknownOperation(f"no bulk operation with id {operation_id}")
        operation.cancel(actor)
        # Between chunks it ends at once; during one, the executor ends it after the chunk.
        self._end_if_done(operation)
        return self.ack(operation)

    def retry_bulk(self, tenant_id: UUID, operation_id: UUID, actor: str) -> Ack[BulkOperation]:
        """A new operation of the same kind over the items the first refused."""
        source = self._ended(tenant_id, operation_id)
        refused = [participant_id for _, participant_id in source.refused_items()]
        if not refused:
            raise NothingToDo("no item of the operation was refused")
        return self._follow_up(source, source.kind, refused, Relation.RETRY, actor)

    def undo_bulk(
        self, tenant_id: UUID, operation_id: UUID, undo_kind: str | None, actor: str
    ) -> Ack[BulkOperation]:
        """A new operation applying the compensation of every item the first applied."""
        source = self._ended(tenant_id, operation_id)
        if undo_kind is None:
            raise RuleViolation(f"a {source.kind} operation cannot be undone")
        if source.relation == Relation.UNDO.value or source.dry_run:
            raise RuleViolation("an undo or a dry run is not undone")
        applied = [participant_id for _, participant_id, _ in source.undoable_items()]
        if not applied:
            raise NothingToDo("no item of the operation was applied")
        return self._follow_up(source, undo_kind, applied, Relation.UNDO, actor)

    def _ended(self, tenant_id: UUID, operation_id: UUID) -> BulkOperation:
        operation = self.bulk_operation(tenant_id, operation_id)
        if not operation.state.ended:
            raise RuleViolation("the operation is still running: wait for it to end")
        if operation.state is OperationState.FAILED:
            raise RuleViolation("the operation failed before its items ran")
        return operation

    def _follow_up(
        self,
        source: BulkOperation,
        kind: str,
        participant_ids: list[UUID],
        relation: Relation,
        actor: str,
    ) -> Ack[BulkOperation]:
        operation = BulkOperation(
            tenant_id=source.tenant_id,
            event_id=source.event_id,
            kind=kind,
            params=source.params,
            selection={"participant_ids": [str(p) for p in participant_ids]},
            dry_run=source.dry_run,
            actor=actor,
            source_id=source.id,
            relation=relation.value,
        )
        # Its items are known: they are selected in the same save.
        operation.select(participant_ids, complete=True)
        return self.ack(operation)

    # The executor's commands

    def select_items(
        self, operation_id: UUID, participant_ids: Sequence[UUID], complete: bool
    ) -> Ack[BulkOperation]:
        """Records the next part of the resolved selection."""
        operation = self.load(BulkOperation, operation_id)
        operation.select(list(participant_ids), complete)
        self._end_if_done(operation)  # a selection of no one ends at once
        return self.ack(operation)

    def claim_items(self, operation_id: UUID, count: int) -> list[tuple[int, UUID]]:
        """Begins the next items (the ones in doubt, if an executor stopped among them)."""
        operation = self.load(BulkOperation, operation_id)
        if operation.claimed is not None:
            return operation.in_doubt()
        claimed = operation.claim(count)
        self.commit(operation)
        return claimed

    def record_outcomes(self, operation_id: UUID, outcomes: list[Outcome]) -> Ack[BulkOperation]:
        """Records the claimed items' results; ends the operation after its last item."""
        operation = self.load(BulkOperation, operation_id)
        operation.record(outcomes)
        self._end_if_done(operation)
        return self.ack(operation)

    def end_cancelled(self, operation_id: UUID) -> Ack[BulkOperation]:
        """After a cancellation, with no item in doubt: the rest are skipped, and it ends."""
        operation = self.load(BulkOperation, operation_id)
        operation.finish()
        return self.ack(operation)

    def fail_bulk(self, operation_id: UUID, reason: str) -> Ack[BulkOperation]:
        """Ends an operation that cannot go on."""
        operation = self.load(BulkOperation, operation_id)
        operation.fail(reason)
        return self.ack(operation)

    @staticmethod
    def _end_if_done(operation: BulkOperation) -> None:
        done = operation.selected and operation.remaining() == 0
        if done or (operation.cancel_requested and operation.claimed is None):
            operation.finish()


def new_operation_id() -> UUID:
    return uuid4()
