"""Reads of the merge history for the HTTP API, always within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Engine, RowMapping, or_, select

from adapters.screening.merge_tables import screening_merges
from adapters.sql.paging import Page, keyset, keyset_page
from adapters.sql.reader import Reader

m_ = screening_merges.c


@dataclass(frozen=True)
class MergeRow:
    id: UUID
    tenant_id: UUID
    event_id: UUID
    survivor_id: UUID
    absorbed_id: UUID
    chosen: dict[str, str]
    status: str  # merged or unmerged
    merged_at: datetime
    merged_by: str | None
    unmerged_at: datetime | None
    unmerged_by: str | None
    version: int


class MergeQueries:
    """Reads of the merge history table."""

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def merge(self, tenant_id: UUID, merge_id: UUID) -> MergeRow | None:
        """One merge of the tenant."""
        query = select(screening_merges).where(m_.tenant_id == tenant_id, m_.merge_id == merge_id)
        rows = self.reader.rows(query)
        return _row(rows[0]._mapping) if rows else None

    def merges(
        self,
        tenant_id: UUID,
        limit: int,
        cursor: str | None,
        participant_id: UUID | None = None,
        event_id: UUID | None = None,
    ) -> Page[MergeRow]:
        """The tenant's merges, oldest first, of one participant (either side) or one event."""
        query = select(screening_merges).where(m_.tenant_id == tenant_id)
        if participant_id is not None:
            query = query.where(
                or_(m_.survivor_id == participant_id, m_.absorbed_id == participant_id)
            )
        if event_id is not None:
            query = query.where(m_.event_id == event_id)
        query = keyset(query, m_.merged_at, m_.merge_id, limit, cursor)
        rows = [_row(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.merged_at, r.id))


def _row(mapping: RowMapping) -> MergeRow:
    values = dict(mapping)
    return MergeRow(id=values.pop("merge_id"), **values)
