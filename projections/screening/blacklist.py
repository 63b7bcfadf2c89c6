"""The blacklist read model: each tenant's entries, in force, expired or removed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.screening.blacklist import Blacklist
from projections.projector import Projector, on


class BlacklistView(Protocol):
    """Where the blacklist projector writes blacklists and their entries."""

    def blacklist_started(self, blacklist_id: UUID, tenant_id: UUID, at: datetime) -> None:
        """A tenant's blacklist, with no entry yet."""

    def entry_added(
        self,
        blacklist_id: UUID,
        entry_id: UUID,
        values: dict[str, Any],  # as EntryAdded records them
        version: int,
        at: datetime,
    ) -> None:
        """An entry in force (until it expires)."""

    def entry_removed(
        self, entry_id: UUID, reason: str | None, actor: str | None, version: int, at: datetime
    ) -> None:
        """An entry lifted."""

    def entry_expired(self, entry_id: UUID, version: int, at: datetime) -> None:
        """An entry's expiry recorded."""


class BlacklistProjector(Projector[BlacklistView]):
    name = "blacklist"
    # 2: entries have expiry_recorded_at.
    version = 2
    upstream = ("screening",)

    @on(Blacklist.Created)
    def _started(self, e: Blacklist.Created, view: BlacklistView) -> None:
        view.blacklist_started(e.originator_id, e.tenant_id, e.timestamp)

    @on(Blacklist.EntryAdded)
    def _added(self, e: Blacklist.EntryAdded, view: BlacklistView) -> None:
        values = {
            "event_id": e.event_id,
            "first_name": e.first_name,
            "last_name": e.last_name,
            "date_of_birth": e.date_of_birth,
            "document_number": e.document_number,
            "email": e.email,
            "reason": e.reason,
            "expires_at": e.expires_at,
            "added_by": e.actor,
        }
        view.entry_added(e.originator_id, e.entry_id, values, e.originator_version, e.timestamp)

    @on(Blacklist.EntryRemoved)
    def _removed(self, e: Blacklist.EntryRemoved, view: BlacklistView) -> None:
        view.entry_removed(e.entry_id, e.reason, e.actor, e.originator_version, e.timestamp)

    @on(Blacklist.EntryExpired)
    def _expired(self, e: Blacklist.EntryExpired, view: BlacklistView) -> None:
        view.entry_expired(e.entry_id, e.originator_version, e.timestamp)
