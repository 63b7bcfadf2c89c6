"""The bulk operations' read model: each operation, how far it has got, and each item's result."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.operations.bulk import BulkOperation, Outcome
from projections.projector import Projector, on


class BulkView(Protocol):
    """Where the bulk operations projector writes. `version` is the aggregate's."""

    def requested(
        self,
        operation_id: UUID,
        tenant_id: UUID,
        event_id: UUID,
        kind: str,
        params: dict[str, Any],
        selection: dict[str, Any],
        dry_run: bool,
        actor: str,
        source_id: UUID | None,
        relation: str | None,
        at: datetime,
    ) -> None:
        """A queued operation, with nothing selected yet."""

    def selected(
        self,
        operation_id: UUID,
        first: int,
        participant_ids: list[UUID],
        complete: bool,
        version: int,
        at: datetime,
    ) -> None:
        """Items `first` on, pending; the operation runs, and knows its total once complete."""

    def touched(self, operation_id: UUID, version: int, at: datetime) -> None:
        """A domain event that changes nothing shown but the operation's last change."""

    def done(self, operation_id: UUID, outcomes: list[Outcome], version: int, at: datetime) -> None:
        """These items' results, counted in the operation's."""

    def cancel_requested(self, operation_id: UUID, version: int, at: datetime) -> None:
        """Staff cancelled the operation."""

    def ended(
        self, operation_id: UUID, state: str, reason: str | None, version: int, at: datetime
    ) -> None:
        """The operation ended in `state`."""


class BulkProjector(Projector[BulkView]):
    name = "bulk_operations"
    version = 1
    upstream = ("operations",)

    @on(BulkOperation.Requested)
    def _requested(self, e: BulkOperation.Requested, view: BulkView) -> None:
        view.requested(
            e.originator_id,
            e.tenant_id,
            e.event_id,
            e.kind,
            e.params,
            e.selection,
            e.dry_run,
            e.actor,
            e.source_id,
            e.relation,
            e.timestamp,
        )

    @on(BulkOperation.ItemsSelected)
    def _selected(self, e: BulkOperation.ItemsSelected, view: BulkView) -> None:
        view.selected(
            e.originator_id,
            e.first,
            list(e.participant_ids),
            e.complete,
            e.originator_version,
            e.timestamp,
        )

    @on(BulkOperation.ChunkClaimed)
    def _claimed(self, e: BulkOperation.ChunkClaimed, view: BulkView) -> None:
        view.touched(e.originator_id, e.originator_version, e.timestamp)

    @on(BulkOperation.ItemsDone)
    def _done(self, e: BulkOperation.ItemsDone, view: BulkView) -> None:
        outcomes = [Outcome.of(record) for record in e.outcomes]
        view.done(e.originator_id, outcomes, e.originator_version, e.timestamp)

    @on(BulkOperation.CancelRequested)
    def _cancel_requested(self, e: BulkOperation.CancelRequested, view: BulkView) -> None:
        view.cancel_requested(e.originator_id, e.originator_version, e.timestamp)

    @on(BulkOperation.Ended)
    def _ended(self, e: BulkOperation.Ended, view: BulkView) -> None:
        view.ended(e.originator_id, e.state, e.reason, e.originator_version, e.timestamp)
