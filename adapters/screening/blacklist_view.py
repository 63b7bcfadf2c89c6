"""Blacklists as tables, written by the blacklist projector in the runner's batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from adapters.projection.sql_view import SqlView
from adapters.screening.blacklist_tables import screening_blacklist_entries, screening_blacklists
from domain.screening.blacklist import Blacklist


class SqlBlacklistView(SqlView):
    """The blacklist projector's view changes, inside the runner's transaction."""

    tables = (screening_blacklists, screening_blacklist_entries)

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        # A new entry reads its blacklist's tenant.
        added = {e.originator_id for e in domain_events if isinstance(e, Blacklist.EntryAdded)}
        self.rows.load(screening_blacklists, added)

    def blacklist_started(self, blacklist_id: UUID, tenant_id: UUID, at: datetime) -> None:
        self.rows.insert(
            screening_blacklists,
            {"blacklist_id": blacklist_id, "tenant_id": tenant_id, "created_at": at},
        )

    def entry_added(
        self,
        blacklist_id: UUID,
        entry_id: UUID,
        values: dict[str, Any],
        version: int,
        at: datetime,
    ) -> None:
        born = values["date_of_birth"]
        self.rows.insert(
            screening_blacklist_entries,
            {
                **values,
                "entry_id": entry_id,
                "tenant_id": self.rows.value(screening_blacklists, blacklist_id, "tenant_id"),
                "date_of_birth": date.fromisoformat(born) if born else None,
                "added_at": at,
                "removed": False,
                "removed_at": None,
                "removed_by": None,
                "removed_reason": None,
                "expiry_recorded_at": None,
                "version": version,
            },
        )

    def entry_expired(self, entry_id: UUID, version: int, at: datetime) -> None:
        self.rows.update(
            screening_blacklist_entries,
            entry_id,
            {"expiry_recorded_at": at, "version": version},
        )

    def entry_removed(
        self, entry_id: UUID, reason: str | None, actor: str | None, version: int, at: datetime
    ) -> None:
        self.rows.update(
            screening_blacklist_entries,
            entry_id,
            {
                "removed": True,
                "removed_at": at,
                "removed_by": actor,
                "removed_reason": reason,
                "version": version,
            },
        )
