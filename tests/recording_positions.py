"""Projection positions that also record how they were waited for and read.

A test of a wait then asserts what happened (the view was told, or kept being
looked at until the timeout, or never looked at) rather than how long it took.
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.projection.tracking import Positions
from adapters.projection.view_changes import ViewChanges
from adapters.sql.reader import Reader
from domain.shared.application import Position


class RecordingPositions(Positions):
    """The real Positions, counting its reads of the tracking table and its waits."""

    def __init__(self, reader: Reader, changes: ViewChanges | None = None) -> None:
        super().__init__(reader, changes=changes)
        self.reads = 0
        self.waits: list[tuple[float, bool]] = []  # (timeout, whether it was reached)

    def current(self, projection: str, upstream: str) -> int:
        self.reads += 1
        return super().current(projection, upstream)

    def wait_for(self, projection: str, wanted: Iterable[Position], timeout: float) -> bool:
        reached = super().wait_for(projection, wanted, timeout)
        self.waits.append((timeout, reached))
        return reached
