"""Participants: register and list them at an event, count them, read and change one."""

from __future__ import annotations

from uuid import UUID

import falcon

from adapters.registration.queries import RegistrationQueries
from adapters.registration.rows import ParticipantFilter
from domain.platform.features import Feature
from domain.platform.permissions import Permission
from domain.registration.application import RegistrationApplication
from domain.registration.participant import Participant
from domain.shared.application import Ack
from entrypoints.http.registration import examples
from entrypoints.http.registration.documents import (
    EVENT_COUNTS_SCHEMA,
    PARTICIPANT_PAGE_SCHEMA,
    PARTICIPANT_SCHEMA,
    participant_document,
)
from entrypoints.http.registration.participant_schemas import (
    EventCountsSchema,
    ParticipantPageSchema,
    ParticipantQuerySchema,
    ParticipantRegisterSchema,
    ParticipantSchema,
    ParticipantUpdateSchema,
)
from entrypoints.http.requests import (
    answer_command,
    expected_version,
    found,
    load_body,
    load_query,
    page_limit,
    set_etag,
)
from entrypoints.http.responders import Operation

READ = Permission.PARTICIPANTS_READ
WRITE = Permission.PARTICIPANTS_WRITE
TAGS = ("participants",)

# Built once: a marshmallow schema is costly to build and safe to share.
REGISTER_SCHEMA = ParticipantRegisterSchema()
UPDATE_SCHEMA = ParticipantUpdateSchema()
QUERY_SCHEMA = ParticipantQuerySchema()


def require_event(queries: RegistrationQueries, req: falcon.Request, event_id: UUID) -> None:
    """Lists and counts of another tenant's (or no) event are a 404, not an empty answer."""
    found(queries.event(req.context.principal.tenant_id, event_id), f"no event with id {event_id}")


def answer_participant(resp: falcon.Response, ack: Ack[Participant]) -> None:
    """A command's answer: the participant as it now is, with its ETag and position."""
    answer_command(resp, ack)
    resp.media = participant_document(ack.aggregate)


class EventParticipantsResource:
    operations = {
        "GET": Operation(
            "List an event's participants, by registration time, filtered",
            READ,
            response=ParticipantPageSchema,
            paginated=True,
            query=ParticipantQuerySchema,
            reads_projection="registration",
            tags=TAGS,
            description="Filters combine; an unknown status, or any other bad filter, is a "
            "400 `invalid-parameter` naming it.",
            response_example=examples.PARTICIPANT_PAGE,
            operation_id="listParticipants",
        ),
        "POST": Operation(
            "Register a person for an event (registration must be open)",
            WRITE,
            status=201,
            request=ParticipantRegisterSchema,
            response=ParticipantSchema,
            creates=True,
            tags=TAGS,
            description="The participant starts on the event's current workflow version. "
            "An e-mail already registered for the event (compared case-insensitively) is a "
            "409 `already-registered` whose `participant_id` names the registration; closed "
            "registration is a 409 `registration-closed`. An event or category whose seats "
            "are all taken (or offered) is a 409 `event-full`, unless the tenant has the "
            "WAITLIST feature and the event's waitlist settings say `when_full: waitlist` "
            "(the default): the participant is then recorded with the status `waitlisted` "
            "and joins the event's waitlist (`waitlist_entry_id`), at the end of the NORMAL "
            "priority; so do registrations while others wait for a seat of their category, "
            "as freed seats go to those waiting first.",
            request_example=examples.PARTICIPANT_REGISTER,
            response_example=examples.PARTICIPANT_REGISTERED,
            operation_id="registerParticipant",
        ),
    }

    def __init__(self, registration: RegistrationApplication, queries: RegistrationQueries) -> None:
        self.registration = registration
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        where = ParticipantFilter(**load_query(req, QUERY_SCHEMA))
        require_event(self.queries, req, event_id)
        page = self.queries.participants(
            req.context.principal.tenant_id,
            event_id,
            where,
            page_limit(req),
            req.get_param("cursor"),
        )
        resp.media = PARTICIPANT_PAGE_SCHEMA.dump(page)

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        details = load_body(req, REGISTER_SCHEMA)
        category = details.pop("category", None)
        principal = req.context.principal
        ack = self.registration.register(
            principal.tenant_id,
            event_id,
            details,
            category,
            may_wait=Feature.WAITLIST in principal.features,
        )
        answer_participant(resp, ack)
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/participants/{ack.aggregate_id}"


class EventCountsResource:
    operations = {
        "GET": Operation(
            "How many participants an event has in each status, overall and per category",
            READ,
            response=EventCountsSchema,
            reads_projection="registration",
            tags=TAGS,
            response_example=examples.EVENT_COUNTS,
            operation_id="countParticipants",
        ),
    }

    def __init__(self, queries: RegistrationQueries) -> None:
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        counts = self.queries.counts(req.context.principal.tenant_id, event_id)
        resp.media = EVENT_COUNTS_SCHEMA.dump(found(counts, f"no event with id {event_id}"))


class ParticipantResource:
    operations = {
        "GET": Operation(
            "Read one participant, with every step reached and branch entered",
            READ,
            response=ParticipantSchema,
            reads_projection="registration",
            etag=True,
            tags=TAGS,
            response_example=examples.PARTICIPANT,
            operation_id="getParticipant",
        ),
        "PATCH": Operation(
            "Change a participant's personal details",
            WRITE,
            request=ParticipantUpdateSchema,
            response=ParticipantSchema,
            if_match=True,
            tags=TAGS,
            description="Give only what changes; null clears an optional detail. A new e-mail "
            "already registered for the event is a 409 `already-registered`.",
            request_example=examples.PARTICIPANT_UPDATE,
            response_example=examples.PARTICIPANT_UPDATED,
            operation_id="updateParticipant",
        ),
    }

    def __init__(self, registration: RegistrationApplication, queries: RegistrationQueries) -> None:
        self.registration = registration
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        row = found(
            self.queries.participant(req.context.principal.tenant_id, participant_id),
            f"no participant with id {participant_id}",
        )
        set_etag(resp, row.version)
        resp.media = PARTICIPANT_SCHEMA.dump(row)

    def on_patch(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        changes = load_body(req, UPDATE_SCHEMA)
        ack = self.registration.update_participant(
            req.context.principal.tenant_id, participant_id, changes, expected_version(req)
        )
        answer_participant(resp, ack)
