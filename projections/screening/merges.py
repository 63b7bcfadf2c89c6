"""The merge history: every merge of one participant into another, and whether it was undone."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.registration.merge import Merge
from domain.shared.cause import meta_of
from projections.projector import Projector, on


class MergesView(Protocol):
    """Where the merge history projector writes."""

    def merged(
        self,
        merge_id: UUID,
        tenant_id: UUID,
        event_id: UUID,
        survivor_id: UUID,
        absorbed_id: UUID,
        chosen: dict[str, str],
        actor: str | None,
        at: datetime,
    ) -> None:
        """A merge, as recorded."""

    def unmerged(self, merge_id: UUID, actor: str | None, version: int, at: datetime) -> None:
        """The merge was undone."""


class MergesProjector(Projector[MergesView]):
    name = "merges"
    version = 1
    upstream = ("registration",)

    @on(Merge.Recorded)
    def _recorded(self, e: Merge.Recorded, view: MergesView) -> None:
        view.merged(
            e.originator_id,
            e.tenant_id,
            e.event_id,
            e.survivor_id,
            e.absorbed_id,
            e.chosen,
            meta_of(e).get("actor"),
            e.timestamp,
        )

    @on(Merge.Undone)
    def _undone(self, e: Merge.Undone, view: MergesView) -> None:
        view.unmerged(e.originator_id, meta_of(e).get("actor"), e.originator_version, e.timestamp)
