"""How often an application reads its event store: its recorders' reads, counted as they run."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.application import Application


class EventStoreReads:
    """Counts the selects of an application's event and snapshot recorders."""

    def __init__(self, application: Application, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        recorders = [application.recorder]
        snapshots = application.snapshots
        if snapshots is not None and snapshots.recorder is not application.recorder:
            recorders.append(snapshots.recorder)
        for recorder in recorders:
            monkeypatch.setattr(recorder, "select_events", self._counted(recorder.select_events))

    def _counted(self, select_events: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return select_events(*args, **kwargs)

        return counted

    def taken(self) -> int:
        """The reads since the last call."""
        count, self.count = self.count, 0
        return count
