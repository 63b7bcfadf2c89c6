"""The history view, written by the history projector."""

from __future__ import annotations

from dataclasses import asdict

from adapters.audit.tables import domain_event_history
from adapters.projection.sql_view import SqlView
from projections.audit.history import HistoryEntry


class SqlHistoryView(SqlView):
    """The history projector's view change, inside the runner's transaction."""

    tables = (domain_event_history,)

    def recorded(self, entry: HistoryEntry) -> None:
        self.rows.insert(domain_event_history, asdict(entry))
