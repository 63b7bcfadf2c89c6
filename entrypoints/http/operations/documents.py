"""A bulk operation's status document: from the operation a command left, or from its row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from adapters.operations.queries import OperationRow
from domain.operations.bulk import BulkOperation, ItemResult, OperationState, Relation
from domain.shared.bulk_kinds import BulkKind
from entrypoints.http.operations.schemas import BulkOperationSchema

OPERATION_SCHEMA = BulkOperationSchema()

Kinds = Mapping[str, BulkKind]


def operation_location(operation_id: UUID) -> str:
    """Where a bulk operation's status is read."""
    return f"/v1/bulk-operations/{operation_id}"


def _links(kinds: Kinds, core: Mapping[str, Any]) -> dict[str, str | None]:
    """Where to go from here: the commands worth sending in the operation's state."""
    base = operation_location(core["id"])
    state = OperationState(core["state"])
    settled = state.ended and state is not OperationState.FAILED
    kind = kinds.get(core["kind"])
    undoable = (
        settled
        and kind is not None
        and kind.undo_kind is not None
        and not core["dry_run"]
        and core["relation"] != Relation.UNDO.value
        and core["ok"] > 0
    )
    return {
        "items": f"{base}/items",
        "cancel": None if state.ended else f"{base}/cancel",
        "retry": f"{base}/retry" if settled and core["refused"] > 0 else None,
        "undo": f"{base}/undo" if undoable else None,
    }


def _document(kinds: Kinds, core: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = OPERATION_SCHEMA.dump({**core, "links": _links(kinds, core)})
    return document


def command_document(kinds: Kinds, operation: BulkOperation) -> dict[str, Any]:
    """The operation as a command left it (the times only its row keeps are not given)."""
    counts = operation.counts
    return _document(
        kinds,
        {
            "id": operation.id,
            "event_id": operation.event_id,
            "kind": operation.kind,
            "params": operation.params,
            "dry_run": operation.dry_run,
            "state": operation.state.value,
            "total": operation.total,
            "done": operation.done(),
            "ok": counts[ItemResult.OK.value],
            "refused": counts[ItemResult.REFUSED.value],
            "skipped": counts[ItemResult.SKIPPED.value],
            "remaining": operation.remaining(),
            "cancel_requested": operation.cancel_requested,
            "source_id": operation.source_id,
            "relation": operation.relation,
            "reason": operation.reason,
            "requested_at": operation.created_on,
            "updated_at": operation.modified_on,
            "version": operation.version,
        },
    )


def _rate(row: OperationRow) -> float | None:
    """Items done per second since the items were selected; None before any."""
    if row.started_at is None or row.done == 0:
        return None
    seconds = (row.updated_at - row.started_at).total_seconds()
    return row.done / seconds if seconds > 0 else None


def _estimated_end(row: OperationRow, rate: float | None) -> datetime | None:
    if row.state != OperationState.RUNNING.value or not rate or row.remaining is None:
        return None
    return row.updated_at + timedelta(seconds=row.remaining / rate)


def row_document(kinds: Kinds, row: OperationRow) -> dict[str, Any]:
    """The operation as its view holds it, with its progress."""
    rate = _rate(row)
    return _document(
        kinds,
        {
            "id": row.id,
            "event_id": row.event_id,
            "kind": row.kind,
            "params": row.params,
            "dry_run": row.dry_run,
            "state": row.state,
            "total": row.total,
            "done": row.done,
            "ok": row.ok,
            "refused": row.refused,
            "skipped": row.skipped,
            "remaining": row.remaining,
            "cancel_requested": row.cancel_requested,
            "source_id": row.source_id,
            "relation": row.relation,
            "reason": row.reason,
            "requested_at": row.requested_at,
            "updated_at": row.updated_at,
            "started_at": row.started_at,
            "ended_at": row.ended_at,
            "items_per_second": rate,
            "estimated_end_at": _estimated_end(row, rate),
            "version": row.version,
        },
    )
