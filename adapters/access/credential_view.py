"""Credentials as a table, written by the credentials projector."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from adapters.access.credential_tables import access_credentials
from adapters.projection.sql_view import SqlView
from domain.access.credential import Credential, CredentialState

ACTIVE = CredentialState.ACTIVE.value


class SqlCredentialsView(SqlView):
    """The credentials projector's view changes, inside the runner's transaction."""

    tables = (access_credentials,)

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        changed = [e.originator_id for e in domain_events if not isinstance(e, Credential.Issued)]
        self.rows.load(access_credentials, changed)

    def issued(
        self,
        credential_id: UUID,
        tenant_id: UUID,
        event_id: UUID,
        participant_id: UUID,
        category: str | None,
        at: datetime,
    ) -> None:
        self.rows.insert(
            access_credentials,
            {
                "credential_id": credential_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "participant_id": participant_id,
                "category": category,
                "state": ACTIVE,
                "eligible": True,
                "participant_status": "approved",
                "blocked": False,
                "works": True,
                "generation": 1,
                "reason": None,
                "issued_at": at,
                "reissued_at": None,
                "updated_at": at,
                "version": 1,
            },
        )

    def changed(
        self, credential_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        def now(column: str) -> Any:
            if column in changes:
                return changes[column]
            return self.rows.value(access_credentials, credential_id, column)

        works = now("state") == ACTIVE and bool(now("eligible")) and not now("blocked")
        values = {**changes, "works": works, "version": version, "updated_at": at}
        self.rows.update(access_credentials, credential_id, values)
