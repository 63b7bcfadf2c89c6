"""Reads of bulk operations and their items for the HTTP API, always within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine

from adapters.sql.paging import Page
from adapters.sql.reader import Reader


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
    relation: str | None
    state: str
    reason: str | None
    cancel_requested: bool
    total: int | None
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
        return self.ok + self.refused + self.skipped

    @property
    def remaining(self) -> int | None:
        return None if self.total is None else self.total - self.done


@dataclass(frozen=True)
class ItemRow:
    operation_id: UUID
    index: int
    participant_id: UUID
    result: str  # pending, ok, refused or skipped
    problem: str | None
    detail: str | None
    done_at: datetime | None


class BulkQueries:
    """Reads of the bulk operations tables."""

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def operation(self, tenant_id: UUID, operation_id: UUID) -> OperationRow | None:
        """The tenant's operation, if it has one of that id."""
        raise NotImplementedError

    def operations(
        self,
        tenant_id: UUID,
        limit: int,
        cursor: str | None,
        event_id: UUID | None = None,
        state: str | None = None,
    ) -> Page[OperationRow]:
        """The tenant's operations, newest first, a page at a time."""
        raise NotImplementedError

    def items(
        self,
        tenant_id: UUID,
        operation_id: UUID,
        limit: int,
        cursor: str | None,
        result: str | None = None,
    ) -> Page[ItemRow]:
        """An operation's items by index, a page at a time, optionally of one result."""
        raise NotImplementedError
