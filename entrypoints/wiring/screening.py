"""The screening context wired: duplicate detection and review, merges, and the blacklist."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from adapters.registration.queries import RegistrationQueries
from adapters.screening.blacklist_queries import BlacklistQueries
from adapters.screening.blacklist_view import SqlBlacklistView
from adapters.screening.duplicate_queries import DuplicateQueries
from adapters.screening.duplicate_view import SqlDuplicatesView
from adapters.screening.merge_queries import MergeQueries
from adapters.screening.merge_view import SqlMergesView
from domain.registration.application import RegistrationApplication
from domain.registration.merge import MergeAcrossEvents, MergeUndone, ParticipantMerged
from domain.screening.application import ScreeningApplication
from domain.screening.pair_review import Decision
from entrypoints.http.screening.blacklist import (
    BlacklistEntryRemoveResource,
    BlacklistEntryResource,
    BlacklistResource,
    TenantEvents,
)
from entrypoints.http.screening.duplicates import (
    DuplicateResource,
    DuplicateReviewResource,
    DuplicatesResource,
    ScreeningSettingsResource,
)
from entrypoints.http.screening.merges import (
    MergeResource,
    MergesResource,
    ParticipantMergeResource,
    UnmergeResource,
)
from entrypoints.http.screening.release import ScreeningReleaseResource
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProblemTypes, ProjectionWiring, Route, ViewAccess
from entrypoints.workers.screening import run_screening
from projections.screening.blacklist import BlacklistProjector
from projections.screening.duplicates import DuplicatesProjector
from projections.screening.merges import MergesProjector

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


# The blacklist: entries, and the screening of every registration against them.


def _blacklist_queries(access: ViewAccess) -> BlacklistQueries:
    return BlacklistQueries(access.reader)


def _tenant_events(c: Container) -> TenantEvents:
    """Registration's events as the blacklist asks about them, never importing it there."""
    registration, queries = c.app(RegistrationApplication), c.query(RegistrationQueries)

    def check(tenant_id: UUID, event_id: UUID) -> None:
        # The event itself, read-only: commands never read views. NotFound if not the tenant's.
        registration.event(tenant_id, event_id)

    def listed(tenant_id: UUID, event_id: UUID) -> bool:
        return queries.event(tenant_id, event_id) is not None

    return TenantEvents(check=check, listed=listed)


def _blacklist_routes(c: Container) -> list[Route]:
    screening, queries = c.app(ScreeningApplication), c.query(BlacklistQueries)
    entry = "/v1/blacklist/{entry_id:uuid}"
    return [
        ("/v1/blacklist", BlacklistResource(screening, queries, _tenant_events(c))),
        (entry, BlacklistEntryResource(screening, queries)),
        (f"{entry}/remove", BlacklistEntryRemoveResource(screening)),
    ]


def _release_routes(c: Container) -> list[Route]:
    release = ScreeningReleaseResource(c.app(RegistrationApplication))
    return [("/v1/participants/{participant_id:uuid}/screening/release", release)]


# Merges: reviewers merge two registrations of one person, and may undo it.


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
    return [
        *_duplicate_routes(c),
        *_blacklist_routes(c),
        *_release_routes(c),
        *_merge_routes(c),
    ]


SCREENING = Context(
    name="screening",
    application=ScreeningApplication,
    projections=(
        ProjectionWiring(SqlDuplicatesView, DuplicatesProjector),
        ProjectionWiring(SqlBlacklistView, BlacklistProjector),
        ProjectionWiring(SqlMergesView, MergesProjector),
    ),
    queries=(_duplicate_queries, _blacklist_queries, _merge_queries),
    routes=_routes,
    workers={"screening": run_screening},
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
