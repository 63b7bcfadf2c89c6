"""The merge history as a table, written by the merges projector."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from adapters.projection.sql_view import SqlView
from adapters.screening.merge_tables import MERGED, UNMERGED, screening_merges


class SqlMergesView(SqlView):
    """The merges projector's view changes, inside the runner's transaction."""

    tables = (screening_merges,)

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
        self.rows.insert(
            screening_merges,
            {
                "merge_id": merge_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "survivor_id": survivor_id,
                "absorbed_id": absorbed_id,
                "chosen": chosen,
                "status": MERGED,
                "merged_at": at,
                "merged_by": actor,
                "unmerged_at": None,
                "unmerged_by": None,
                "version": 1,
            },
        )

    def unmerged(self, merge_id: UUID, actor: str | None, version: int, at: datetime) -> None:
        values = {"status": UNMERGED, "unmerged_at": at, "unmerged_by": actor, "version": version}
        self.rows.update(screening_merges, merge_id, values)
