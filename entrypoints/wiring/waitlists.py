"""The waitlists context wired: each event's waitlist, its offers, and their expiry."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from adapters.registration.queries import RegistrationQueries
from adapters.waitlists.queries import WaitlistQueries
from adapters.waitlists.view import SqlWaitlistView
from domain.registration.participant import ParticipantWaitlisted
from domain.waitlists.application import InParty, NotWaitlistable, WaitlistedRegistration
from domain.waitlists.bulk_kinds import waitlist_kinds
from domain.waitlists.waitlist import AlreadyWaiting, NoOffer, NotWaiting, OfferExpired
from entrypoints.http.waitlists.lists import (
    EntryResource,
    OffersResource,
    PromotionsResource,
    WaitlistResource,
)
from entrypoints.http.waitlists.resources import WaitlistSettingsResource, entry_commands
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProblemTypes, ProjectionWiring, Route, ViewAccess
from entrypoints.workers.waitlists import run_waitlists
from projections.waitlists.waitlist import WaitlistProjector


def _queries(access: ViewAccess) -> WaitlistQueries:
    return WaitlistQueries(access.reader)


def _routes(c: Container) -> Sequence[Route]:
    registration, queries = c.app(WaitlistedRegistration), c.query(WaitlistQueries)
    events = c.query(RegistrationQueries)

    def known(tenant_id: UUID, event_id: UUID) -> bool:
        return events.event(tenant_id, event_id) is not None

    waitlist = "/v1/events/{event_id:uuid}/waitlist"
    entry = f"{waitlist}/entries/{{waitlist_entry_id:uuid}}"
    return [
        (waitlist, WaitlistResource(registration, queries, known)),
        (f"{waitlist}/settings", WaitlistSettingsResource(registration, queries, known)),
        (f"{waitlist}/offers", OffersResource(queries, known)),
        (f"{waitlist}/promotions", PromotionsResource(queries, known)),
        (entry, EntryResource(queries)),
        *((f"{entry}/{name}", r) for name, r in entry_commands(registration).items()),
    ]


WAITLISTS = Context(
    name="waitlists",
    # The waitlist lives in the registration context's event store (one save frees a seat
    # and offers it): its application is registration's, extended.
    application=WaitlistedRegistration,
    extends="registration",
    projections=(ProjectionWiring(SqlWaitlistView, WaitlistProjector),),
    queries=(_queries,),
    routes=_routes,
    workers={"waitlists": run_waitlists},
    bulk_kinds=lambda c: waitlist_kinds(c.app(WaitlistedRegistration)),
    problems=ProblemTypes(
        types={
            InParty.code: (409, InParty.title),
            NotWaitlistable.code: (409, NotWaitlistable.title),
            AlreadyWaiting.code: (409, AlreadyWaiting.title),
            NotWaiting.code: (409, NotWaiting.title),
            NoOffer.code: (409, NoOffer.title),
            OfferExpired.code: (409, OfferExpired.title),
            ParticipantWaitlisted.code: (409, ParticipantWaitlisted.title),
        },
        errors={
            error: error.code
            for error in (
                InParty,
                NotWaitlistable,
                AlreadyWaiting,
                NotWaiting,
                NoOffer,
                OfferExpired,
                ParticipantWaitlisted,
            )
        },
    ),
)
