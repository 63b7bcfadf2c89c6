"""Reads of credentials for the HTTP API, always within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Engine, RowMapping, select

from adapters.access.credential_tables import access_credentials
from adapters.sql.paging import Page, keyset, keyset_page
from adapters.sql.reader import Reader

c_ = access_credentials.c


@dataclass(frozen=True)
class CredentialRow:
    id: UUID
    tenant_id: UUID
    event_id: UUID
    participant_id: UUID
    category: str | None
    state: str
    eligible: bool
    participant_status: str
    blocked: bool
    works: bool
    generation: int
    reason: str | None
    issued_at: datetime
    reissued_at: datetime | None
    updated_at: datetime
    version: int


class CredentialQueries:
    """Reads of the credentials table."""

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def credential(self, tenant_id: UUID, participant_id: UUID) -> CredentialRow | None:
        """The participant's credential, if the tenant's participant has one."""
        query = select(access_credentials).where(
            c_.tenant_id == tenant_id, c_.participant_id == participant_id
        )
        rows = self.reader.rows(query)
        return _row(rows[0]._mapping) if rows else None

    def credentials(
        self,
        tenant_id: UUID,
        event_id: UUID,
        limit: int,
        cursor: str | None,
        state: str | None = None,
    ) -> Page[CredentialRow]:
        """An event's credentials in issue order, a page at a time, optionally of one state."""
        query = select(access_credentials).where(c_.tenant_id == tenant_id, c_.event_id == event_id)
        if state is not None:
            query = query.where(c_.state == state)
        query = keyset(query, c_.issued_at, c_.credential_id, limit, cursor)
        rows = [_row(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.issued_at, r.id))


def _row(mapping: RowMapping) -> CredentialRow:
    values = dict(mapping)
    return CredentialRow(id=values.pop("credential_id"), **values)
