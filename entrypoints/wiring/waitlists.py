"""The waitlists context wired: its read models (positions, offers, promotion history)."""

from __future__ import annotations

from adapters.waitlists.queries import WaitlistQueries
from adapters.waitlists.view import SqlWaitlistView
from entrypoints.wiring.context import Context, ProjectionWiring, ViewAccess
from projections.waitlists.waitlist import WaitlistProjector


def _queries(access: ViewAccess) -> WaitlistQueries:
    return WaitlistQueries(access.reader)


WAITLISTS = Context(
    name="waitlists",
    projections=(ProjectionWiring(SqlWaitlistView, WaitlistProjector),),
    queries=(_queries,),
)
