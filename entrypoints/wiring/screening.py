"""The screening context wired: duplicate detection and review, merges, and the blacklist."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.screening.duplicate_view import SqlDuplicatesView
from domain.screening.application import ScreeningApplication
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProjectionWiring, Route
from projections.screening.duplicates import DuplicatesProjector


def _routes(c: Container) -> Sequence[Route]:
    del c
    return []


SCREENING = Context(
    name="screening",
    application=ScreeningApplication,
    projections=(ProjectionWiring(SqlDuplicatesView, DuplicatesProjector),),
    routes=_routes,
)
