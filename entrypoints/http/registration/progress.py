"""A participant's way through the workflow: work queues, completions, withdrawal, cancelling,
restoring."""

from __future__ import annotations

import re
from uuid import UUID

import falcon

from adapters.registration.queries import RegistrationQueries
from domain.registration.application import RegistrationApplication
from domain.shared.cause import current_cause
from entrypoints.http.problems import Problem
from entrypoints.http.registration import examples
from entrypoints.http.registration.documents import QUEUE_PAGE_SCHEMA
from entrypoints.http.registration.participant_schemas import (
    EndRegistrationSchema,
    ParticipantSchema,
    QueuePageSchema,
    StepCompletionSchema,
)
from entrypoints.http.registration.participants import (
    READ,
    TAGS,
    WRITE,
    answer_participant,
    require_event,
)
from entrypoints.http.requests import expected_version, load_body, load_query, page_limit
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import STEP_ID_PATTERN, EmptySchema

# Built once: a marshmallow schema is costly to build and safe to share.
COMPLETION_SCHEMA = StepCompletionSchema()
END_SCHEMA = EndRegistrationSchema()
EMPTY_SCHEMA = EmptySchema()
STEP_ID = re.compile(STEP_ID_PATTERN)


class WorkQueueResource:
    operations = {
        "GET": Operation(
            "The participants awaiting a step of an event, longest waiting first",
            READ,
            response=QueuePageSchema,
            paginated=True,
            reads_projection="registration",
            tags=TAGS,
            description="A step no participant is at (or no workflow has) has an empty queue.",
            response_example=examples.QUEUE_PAGE,
            operation_id="listStepQueue",
        ),
    }

    def __init__(self, queries: RegistrationQueries) -> None:
        self.queries = queries

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, step_id: str
    ) -> None:
        load_query(req, EMPTY_SCHEMA)
        if STEP_ID.fullmatch(step_id) is None:
            # No workflow can have it, and a NUL in it would not even reach PostgreSQL.
            raise Problem("not-found", "no workflow has a step with such an id")
        require_event(self.queries, req, event_id)
        page = self.queries.work_queue(
            req.context.principal.tenant_id,
            event_id,
            step_id,
            page_limit(req),
            req.get_param("cursor"),
        )
        resp.media = QUEUE_PAGE_SCHEMA.dump(page)


class StepCompletionResource:
    operations = {
        "POST": Operation(
            "Complete an active step of a participant's workflow, approved or rejected",
            WRITE,
            request=StepCompletionSchema,
            response=ParticipantSchema,
            if_match=True,
            tags=TAGS,
            description="The API key is recorded as the actor. A step that is not active is a "
            "409 `step-not-active`; the approval that would take the last seat too many is a "
            "409 `capacity-reached`; a step the workflow lacks is a 404.",
            request_example=examples.STEP_COMPLETION,
            response_example=examples.PARTICIPANT_APPROVED,
            operation_id="completeStep",
        ),
    }

    def __init__(self, registration: RegistrationApplication) -> None:
        self.registration = registration

    def on_post(
        self, req: falcon.Request, resp: falcon.Response, participant_id: UUID, step_id: str
    ) -> None:
        body = load_body(req, COMPLETION_SCHEMA)
        ack = self.registration.complete_step(
            req.context.principal.tenant_id,
            participant_id,
            step_id,
            body["outcome"],
            actor=current_cause().actor,
            comment=body["comment"],
            expected_version=expected_version(req),
        )
        answer_participant(resp, ack)


class RegistrationEndResource:
    """The participant withdraws, or the organiser cancels: one resource, two routes."""

    WITHDRAWS = Operation(
        "The participant withdraws: open steps close, a seat and the e-mail are freed",
        WRITE,
        request=EndRegistrationSchema,
        response=ParticipantSchema,
        if_match=True,
        tags=TAGS,
        request_example=examples.END_REGISTRATION,
        response_example=examples.PARTICIPANT_ENDED,
        operation_id="withdrawParticipant",
    )
    CANCELS = Operation(
        "The organiser cancels the registration, with a withdrawal's effects",
        WRITE,
        request=EndRegistrationSchema,
        response=ParticipantSchema,
        if_match=True,
        tags=TAGS,
        request_example=examples.CANCEL_REGISTRATION,
        response_example=examples.PARTICIPANT_CANCELLED,
        operation_id="cancelParticipant",
    )

    def __init__(self, registration: RegistrationApplication, *, by_organiser: bool) -> None:
        self.registration = registration
        self.by_organiser = by_organiser
        self.operations = {"POST": self.CANCELS if by_organiser else self.WITHDRAWS}

    def on_post(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        body = load_body(req, END_SCHEMA)
        end = self.registration.cancel if self.by_organiser else self.registration.withdraw
        ack = end(
            req.context.principal.tenant_id, participant_id, body["reason"], expected_version(req)
        )
        answer_participant(resp, ack)


class RestoreResource:
    """The organiser undoes a cancellation."""

    operations = {
        "POST": Operation(
            "Restore a cancelled participant as it was before the cancellation",
            WRITE,
            response=ParticipantSchema,
            if_match=True,
            tags=TAGS,
            description="A pending participant has its open steps back; an approved one takes "
            "a seat again, and a full event (or category) is a 409 `capacity-reached` (it does "
            "not wait). The e-mail is claimed again: someone registered with it since is a 409 "
            "`already-registered`. One not cancelled, or cancelled while waiting for a seat, "
            "is a 409 `not-restorable`.",
            response_example=examples.PARTICIPANT_RESTORED,
            operation_id="restoreParticipant",
        ),
    }

    def __init__(self, registration: RegistrationApplication) -> None:
        self.registration = registration

    def on_post(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        load_body(req, EMPTY_SCHEMA)
        ack = self.registration.restore(
            req.context.principal.tenant_id, participant_id, expected_version(req)
        )
        answer_participant(resp, ack)
