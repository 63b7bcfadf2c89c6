"""The bulk operations as tables, written by the bulk operations projector.

An operation's row carries its counts, so its progress is read without counting
its items; each item's row is inserted pending when the item is selected and
updated with its result. Every change goes through the batch's row buffer: an
item selected and done in one batch is one insert of its final values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from adapters.operations.tables import (
    PENDING,
    QUEUED,
    RUNNING,
    bulk_operation_items,
    bulk_operations,
)
from adapters.projection.sql_view import SqlView
from domain.operations.bulk import BulkOperation, ItemResult, Outcome

_COUNTED = tuple(r.value for r in ItemResult)  # the counts' columns: ok, refused, skipped


class SqlBulkView(SqlView):
    """The bulk operations projector's view changes, inside the runner's transaction."""

    tables = (bulk_operations, bulk_operation_items)

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        # Every change but a request reads its operation's row (tenant, counts, state).
        touched = {
            e.originator_id for e in domain_events if not isinstance(e, BulkOperation.Requested)
        }
        self.rows.load(bulk_operations, touched)

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
        self.rows.insert(
            bulk_operations,
            {
                "operation_id": operation_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "kind": kind,
                "params": _plain(params),
                "selection": _plain(selection),
                "dry_run": dry_run,
                "actor": actor,
                "source_id": source_id,
                "relation": relation,
                "state": QUEUED,
                "reason": None,
                "cancel_requested": False,
                "total": None,
                **dict.fromkeys(_COUNTED, 0),
                "requested_at": at,
                "started_at": None,
                "updated_at": at,
                "ended_at": None,
                "version": 1,
            },
        )

    def selected(
        self,
        operation_id: UUID,
        first: int,
        participant_ids: list[UUID],
        complete: bool,
        version: int,
        at: datetime,
    ) -> None:
        tenant_id = self.rows.value(bulk_operations, operation_id, "tenant_id")
        for index, participant_id in enumerate(participant_ids, start=first):
            self.rows.insert(
                bulk_operation_items,
                {
                    "operation_id": operation_id,
                    "item_index": index,
                    "tenant_id": tenant_id,
                    "participant_id": participant_id,
                    "result": PENDING,
                    "problem": None,
                    "code": None,
                    "detail": None,
                    "done_at": None,
                },
            )
        values: dict[str, Any] = {"updated_at": at, "version": version}
        if self.rows.value(bulk_operations, operation_id, "started_at") is None:
            values.update(started_at=at, state=RUNNING)
        if complete:
            values["total"] = first + len(participant_ids)
        self.rows.update(bulk_operations, operation_id, values)

    def touched(self, operation_id: UUID, version: int, at: datetime) -> None:
        self.rows.update(bulk_operations, operation_id, {"updated_at": at, "version": version})

    def done(self, operation_id: UUID, outcomes: list[Outcome], version: int, at: datetime) -> None:
        counts = {c: self.rows.value(bulk_operations, operation_id, c) for c in _COUNTED}
        for outcome in outcomes:
            counts[outcome.result.value] += 1
            self.rows.update(
                bulk_operation_items,
                (operation_id, outcome.index),
                {
                    "result": outcome.result.value,
                    "problem": outcome.problem,
                    "code": outcome.code,
                    "detail": outcome.detail,
                    "done_at": at,
                },
            )
        values = {**counts, "updated_at": at, "version": version}
        self.rows.update(bulk_operations, operation_id, values)

    def cancel_requested(self, operation_id: UUID, version: int, at: datetime) -> None:
        values = {"cancel_requested": True, "updated_at": at, "version": version}
        self.rows.update(bulk_operations, operation_id, values)

    def ended(
        self, operation_id: UUID, state: str, reason: str | None, version: int, at: datetime
    ) -> None:
        values = {
            "state": state,
            "reason": reason,
            "ended_at": at,
            "updated_at": at,
            "version": version,
        }
        self.rows.update(bulk_operations, operation_id, values)


def _plain(value: Any) -> Any:
    """The value as JSON holds it: a selection may name participants by UUID."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
