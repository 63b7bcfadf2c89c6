"""The registration context wired: managed events and participants, their view and routes."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.registration.queries import RegistrationQueries
from adapters.registration.view import SqlRegistrationView
from domain.registration.application import RegistrationApplication
from domain.registration.bulk_kinds import registration_kinds
from entrypoints.http.registration.events import (
    EventResource,
    EventsResource,
    RegistrationSwitchResource,
    WorkflowResource,
)
from entrypoints.http.registration.participants import (
    EventCountsResource,
    EventParticipantsResource,
    ParticipantResource,
)
from entrypoints.http.registration.progress import (
    RegistrationEndResource,
    RestoreResource,
    StepCompletionResource,
    WorkQueueResource,
)
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProjectionWiring, Route, ViewAccess
from projections.registration.projector import RegistrationProjector


def _queries(access: ViewAccess) -> RegistrationQueries:
    return RegistrationQueries(access.reader)


def _routes(c: Container) -> Sequence[Route]:
    registration, queries = c.app(RegistrationApplication), c.query(RegistrationQueries)
    event, participant = "/v1/events/{event_id:uuid}", "/v1/participants/{participant_id:uuid}"
    return [
        ("/v1/events", EventsResource(registration, queries)),
        (event, EventResource(registration, queries)),
        (f"{event}/open-registration", RegistrationSwitchResource(registration, opens=True)),
        (f"{event}/close-registration", RegistrationSwitchResource(registration, opens=False)),
        (f"{event}/workflow", WorkflowResource(registration, queries)),
        (f"{event}/counts", EventCountsResource(queries)),
        (f"{event}/participants", EventParticipantsResource(registration, queries)),
        (f"{event}/steps/{{step_id}}/queue", WorkQueueResource(queries)),
        (participant, ParticipantResource(registration, queries)),
        (f"{participant}/steps/{{step_id}}/complete", StepCompletionResource(registration)),
        (f"{participant}/withdraw", RegistrationEndResource(registration, by_organiser=False)),
        (f"{participant}/cancel", RegistrationEndResource(registration, by_organiser=True)),
        (f"{participant}/restore", RestoreResource(registration)),
    ]


REGISTRATION = Context(
    name="registration",
    application=RegistrationApplication,
    projections=(ProjectionWiring(SqlRegistrationView, RegistrationProjector),),
    queries=(_queries,),
    routes=_routes,
    bulk_kinds=lambda c: registration_kinds(c.app(RegistrationApplication)),
)
