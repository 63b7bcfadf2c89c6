"""A preflight: which participants a selection names now, and which the kind would refuse.

Read from the views and changing nothing: the operation itself decides item by item
when it runs, so a preflight is a forecast, not a promise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from adapters.access.credential_queries import CredentialQueries
from adapters.registration.queries import RegistrationQueries
from adapters.registration.rows import ParticipantFilter, ParticipantRow
from domain.operations.bulk import ITEMS_MAX
from domain.shared.bulk_kinds import BulkKind, Facts
from entrypoints.http.problems import Problem

PAGE = 500  # participants read at a time from a filter's pages
NOT_FOUND = "not-found"


@dataclass(frozen=True)
class Forecast:
    selected: int
    ineligible: list[tuple[UUID, str]]  # participant id, the problem code

    def document(self) -> dict[str, Any]:
        return {
            "selected": self.selected,
            "eligible": self.selected - len(self.ineligible),
            "ineligible": [{"participant_id": p, "reason": r} for p, r in self.ineligible],
        }


def too_many() -> Problem:
    return Problem(
        "validation-failed",
        f"a bulk operation selects at most {ITEMS_MAX:,} participants",
        errors=[{"field": "selection", "message": f"selects more than {ITEMS_MAX:,}"}],
    )


class Preflight:
    """Asks a kind about each participant a selection names, from the read models."""

    def __init__(self, participants: RegistrationQueries, credentials: CredentialQueries) -> None:
        self.participants = participants
        self.credentials = credentials

    def __call__(
        self,
        tenant_id: UUID,
        event_id: UUID,
        kind: BulkKind,
        params: Mapping[str, Any],
        selection: Mapping[str, Any],
    ) -> Forecast:
        selected = 0
        ineligible: list[tuple[UUID, str]] = []
        for participant_id, row in self._selected(tenant_id, event_id, selection):
            selected += 1
            if row is None:
                ineligible.append((participant_id, NOT_FOUND))
                continue
            reason = kind.preflight(params, self._facts(tenant_id, row))
            if reason is not None:
                ineligible.append((participant_id, reason))
        return Forecast(selected, ineligible)

    def _selected(
        self, tenant_id: UUID, event_id: UUID, selection: Mapping[str, Any]
    ) -> Iterator[tuple[UUID, ParticipantRow | None]]:
        """Each participant named once, in order; None: not a participant of this event."""
        if "participant_ids" in selection:
            # Repeats count once, as the operation's items do.
            for participant_id in dict.fromkeys(selection["participant_ids"]):
                row = self.participants.participant(tenant_id, participant_id)
                yield participant_id, row if row is not None and row.event_id == event_id else None
            return
        where = ParticipantFilter(**selection["filter"])
        cursor: str | None = None
        count = 0
        while True:
            page = self.participants.participants(tenant_id, event_id, where, PAGE, cursor)
            count += len(page.items)
            if count > ITEMS_MAX:
                raise too_many()
            yield from ((row.id, row) for row in page.items)
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _facts(self, tenant_id: UUID, row: ParticipantRow) -> Facts:
        credential = self.credentials.credential(tenant_id, row.id)
        return Facts(
            status=row.status,
            active_steps=tuple(row.active_steps),
            credential_status=None if credential is None else credential.state,
            waitlist_entry_id=row.waitlist_entry_id,
        )
