"""Whether a projection's live tables stand still until a rebuild of a new version is swapped in.

While a new version is built apart, the live tables are of the old one, and only
a runner of the old version moves them (in a rolling upgrade, on a host not yet
upgraded). Without one, a query waiting for a position past them would wait for
the whole rebuild: it is better told so at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from adapters.projection.leadership import leader_of
from adapters.projection.tracking import projection_tracking
from adapters.sql.reader import Reader


@dataclass(frozen=True)
class AwaitedRebuild:
    """A projection whose live tables (of `live_version`) wait for `version` to be built."""

    projection: str
    live_version: int
    version: int


class Rebuilds:
    """Tells a query whether its projection's live tables wait for a rebuild."""

    def __init__(self, reader: Reader, versions: Mapping[str, int]) -> None:
        self.reader = reader
        self.versions = versions  # each projection's version in this code

    def awaited(self, projection: str) -> AwaitedRebuild | None:
        """The rebuild the live tables wait for, if they are older and no runner moves them."""
        version = self.versions.get(projection)
        t = projection_tracking
        with self.reader.connect() as conn:
            live = conn.execute(
                select(func.min(t.c.version)).where(t.c.projection == projection)
            ).scalar()
        if version is None or live is None or live >= version:
            return None
        if leader_of(self.reader.engine, projection, live) is not None:
            return None
        return AwaitedRebuild(projection, int(live), version)
