"""Reads of the bulk operations for the HTTP API and the executor, within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, RowMapping, select

from adapters.operations.tables import ACTIVE, bulk_operation_items, bulk_operations
from adapters.sql.paging import BadCursor, Page, decode_cursor, encode_cursor, keyset, keyset_page
from adapters.sql.reader import Reader

o_ = bulk_operations.c
i_ = bulk_operation_items.c


@dataclass(frozen=True)
class OperationRow:
    id: UUID
    tenant_id: UUID
    event_id: UUID
    kind: str
    params: dict[str, Any]
    selection: dict[str, Any]
    dry_run: bool
    actor: str
    source_id: UUID | None
    relation: str | None  # retry, undo, or None
    state: str  # QUEUED, RUNNING, COMPLETED, COMPLETED_WITH_ERRORS, CANCELLED or FAILED
    reason: str | None
    cancel_requested: bool
    total: int | None  # None until the selection is resolved
    ok: int
    refused: int
    skipped: int
    requested_at: datetime
    started_at: datetime | None
    updated_at: datetime
    ended_at: datetime | None
    version: int

    @property
    def done(self) -> int:
        """Items with their result."""
        return self.ok + self.refused + self.skipped

    @property
    def remaining(self) -> int | None:
        """Items without their result yet; None until the selection is resolved."""
        return None if self.total is None else self.total - self.done


@dataclass(frozen=True)
class ItemRow:
    operation_id: UUID
    index: int
    participant_id: UUID
    result: str  # pending, ok, refused or skipped
    problem: str | None
    code: str | None
    detail: str | None
    done_at: datetime | None


class BulkQueries:
    """Reads of the bulk operation tables."""

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def operation(self, tenant_id: UUID, operation_id: UUID) -> OperationRow | None:
        """The tenant's operation; None: no such operation, or another tenant's."""
        query = select(bulk_operations).where(
            o_.tenant_id == tenant_id, o_.operation_id == operation_id
        )
        rows = self.reader.rows(query)
        return _operation(rows[0]._mapping) if rows else None

    def operations(
        self,
        tenant_id: UUID,
        limit: int,
        cursor: str | None,
        event_id: UUID | None = None,
        state: str | None = None,
    ) -> Page[OperationRow]:
        """The tenant's operations, the newest asked for first, of one event or in one state."""
        query = select(bulk_operations).where(o_.tenant_id == tenant_id)
        if event_id is not None:
            query = query.where(o_.event_id == event_id)
        if state is not None:
            query = query.where(o_.state == state)
        query = keyset(query, o_.requested_at, o_.operation_id, limit, cursor, newest_first=True)
        rows = [_operation(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.requested_at, r.id))

    def items(
        self,
        tenant_id: UUID,
        operation_id: UUID,
        limit: int,
        cursor: str | None,
        result: str | None = None,
    ) -> Page[ItemRow]:
        """The operation's items by index, or those with one result."""
        if limit < 1:
            raise ValueError("a page holds at least one item")
        query = select(bulk_operation_items).where(
            i_.operation_id == operation_id, i_.tenant_id == tenant_id
        )
        if result is not None:
            query = query.where(i_.result == result)
        if cursor is not None:
            query = query.where(i_.item_index > _index_after(cursor))
        query = query.order_by(i_.item_index).limit(limit + 1)
        rows = [_item(r._mapping) for r in self.reader.rows(query)]
        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], encode_cursor(str(rows[limit - 1].index)))

    def active(self, limit: int) -> list[tuple[UUID, UUID]]:
        """(tenant_id, operation_id) of queued or running operations, the oldest asked for first."""
        query = (
            select(o_.tenant_id, o_.operation_id)
            .where(o_.state.in_(ACTIVE))
            .order_by(o_.requested_at, o_.operation_id)
            .limit(limit)
        )
        return [(r.tenant_id, r.operation_id) for r in self.reader.rows(query)]


def _index_after(cursor: str) -> int:
    """The item index a cursor into the items holds; BadCursor if it was not one of ours."""
    values = decode_cursor(cursor)
    if len(values) != 1:
        raise BadCursor("the cursor is not valid")
    try:
        index = int(values[0])
    except ValueError:
        raise BadCursor("the cursor is not valid") from None
    if index < 0:
        raise BadCursor("the cursor is not valid")
    return index


def _operation(mapping: RowMapping) -> OperationRow:
    values = dict(mapping)
    return OperationRow(id=values.pop("operation_id"), **values)


def _item(mapping: RowMapping) -> ItemRow:
    values = dict(mapping)
    del values["tenant_id"]
    return ItemRow(index=values.pop("item_index"), **values)
