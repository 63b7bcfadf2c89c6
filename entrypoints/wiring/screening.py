"""The screening context wired: duplicate detection and review, merges, and the blacklist."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.screening.duplicate_queries import DuplicateQueries
from adapters.screening.duplicate_view import SqlDuplicatesView
from domain.screening.application import ScreeningApplication
from domain.screening.pair_review import Decision
from entrypoints.http.screening.duplicates import (
    DuplicateResource,
    DuplicateReviewResource,
    DuplicatesResource,
    ScreeningSettingsResource,
)
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProjectionWiring, Route, ViewAccess
from projections.screening.duplicates import DuplicatesProjector

# Duplicates: detected by a projection, reviewed by people.


def _duplicate_queries(access: ViewAccess) -> DuplicateQueries:
    return DuplicateQueries(access.reader)


def _duplicate_routes(c: Container) -> list[Route]:
    screening, queries = c.app(ScreeningApplication), c.query(DuplicateQueries)
    pair = "/v1/duplicates/{pair_id:uuid}"
    return [
        ("/v1/duplicates", DuplicatesResource(queries)),
        (pair, DuplicateResource(queries)),
        (f"{pair}/confirm", DuplicateReviewResource(screening, queries, Decision.CONFIRMED)),
        (f"{pair}/dismiss", DuplicateReviewResource(screening, queries, Decision.DISMISSED)),
        ("/v1/screening/settings", ScreeningSettingsResource(screening, queries)),
    ]


def _routes(c: Container) -> Sequence[Route]:
    return [*_duplicate_routes(c)]


SCREENING = Context(
    name="screening",
    application=ScreeningApplication,
    projections=(ProjectionWiring(SqlDuplicatesView, DuplicatesProjector),),
    queries=(_duplicate_queries,),
    routes=_routes,
)
