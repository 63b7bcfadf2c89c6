"""The screening context wired: duplicate detection and review, merges, and the blacklist."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.screening.merge_queries import MergeQueries
from adapters.screening.merge_view import SqlMergesView
from domain.registration.application import RegistrationApplication
from domain.registration.merge import MergeAcrossEvents, MergeUndone, ParticipantMerged
from domain.screening.application import ScreeningApplication
from entrypoints.http.screening.merges import (
    MergeResource,
    MergesResource,
    ParticipantMergeResource,
    UnmergeResource,
)
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProblemTypes, ProjectionWiring, Route, ViewAccess
from projections.screening.merges import MergesProjector


def _merge_queries(access: ViewAccess) -> MergeQueries:
    return MergeQueries(access.reader)


def _merge_routes(c: Container) -> list[Route]:
    registration, queries = c.app(RegistrationApplication), c.query(MergeQueries)
    merge = "/v1/merges/{merge_id:uuid}"
    return [
        ("/v1/participants/{participant_id:uuid}/merge", ParticipantMergeResource(registration)),
        ("/v1/merges", MergesResource(queries)),
        (merge, MergeResource(queries)),
        (f"{merge}/unmerge", UnmergeResource(registration)),
    ]


def _routes(c: Container) -> Sequence[Route]:
    return [*_merge_routes(c)]


SCREENING = Context(
    name="screening",
    application=ScreeningApplication,
    projections=(ProjectionWiring(SqlMergesView, MergesProjector),),
    queries=(_merge_queries,),
    routes=_routes,
    problems=ProblemTypes(
        types={
            "participant-merged": (409, "The participant was merged into another"),
            "merge-across-events": (409, "Only registrations for one event can be merged"),
            "merge-undone": (409, "The merge was undone already"),
        },
        errors={
            ParticipantMerged: "participant-merged",
            MergeAcrossEvents: "merge-across-events",
            MergeUndone: "merge-undone",
        },
    ),
)
