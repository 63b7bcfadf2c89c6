"""Managed events: create, list, read, change, open and close registration, their workflow."""

from __future__ import annotations

from uuid import UUID

import falcon

from adapters.registration.queries import RegistrationQueries
from domain.platform.permissions import Permission
from domain.registration.application import RegistrationApplication
from domain.registration.managed_event import ManagedEvent
from domain.shared.application import Ack
from entrypoints.http.registration import examples
from entrypoints.http.registration.documents import (
    EVENT_PAGE_SCHEMA,
    EVENT_SCHEMA,
    event_document,
    workflow_document,
)
from entrypoints.http.registration.event_schemas import (
    EventCreateSchema,
    EventPageSchema,
    EventSchema,
    EventUpdateSchema,
    WorkflowDocumentSchema,
    WorkflowPublishSchema,
    WorkflowQuerySchema,
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
from entrypoints.http.schemas import EmptySchema

READ = Permission.EVENTS_READ
WRITE = Permission.EVENTS_WRITE
TAGS = ("events",)

# Built once: a marshmallow schema is costly to build and safe to share.
EVENT_CREATE_SCHEMA = EventCreateSchema()
EVENT_UPDATE_SCHEMA = EventUpdateSchema()
WORKFLOW_PUBLISH_SCHEMA = WorkflowPublishSchema()
WORKFLOW_QUERY_SCHEMA = WorkflowQuerySchema()
EMPTY_SCHEMA = EmptySchema()


def _no_event(event_id: UUID) -> str:
    return f"no event with id {event_id}"


def _answer_event(resp: falcon.Response, ack: Ack[ManagedEvent]) -> None:
    answer_command(resp, ack)
    resp.media = event_document(ack.aggregate)


class EventsResource:
    operations = {
        "GET": Operation(
            "List your tenant's events, by start time",
            READ,
            response=EventPageSchema,
            paginated=True,
            reads_projection="registration",
            tags=TAGS,
            response_example=examples.EVENT_PAGE,
            operation_id="listEvents",
        ),
        "POST": Operation(
            "Create an event, in draft, with the default single-approval workflow unless "
            "one is given",
            WRITE,
            status=201,
            request=EventCreateSchema,
            response=EventSchema,
            creates=True,
            tags=TAGS,
            description="An invalid workflow is refused with 422 listing every problem, each "
            "at its path under `workflow`.",
            request_example=examples.EVENT_CREATE,
            response_example=examples.EVENT,
            operation_id="createEvent",
        ),
    }

    def __init__(self, registration: RegistrationApplication, queries: RegistrationQueries) -> None:
        self.registration = registration
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        load_query(req, EMPTY_SCHEMA)
        page = self.queries.events(
            req.context.principal.tenant_id, page_limit(req), req.get_param("cursor")
        )
        resp.media = EVENT_PAGE_SCHEMA.dump(page)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_body(req, EVENT_CREATE_SCHEMA)
        ack = self.registration.create_event(req.context.principal.tenant_id, **body)
        _answer_event(resp, ack)
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/events/{ack.aggregate_id}"


class EventResource:
    operations = {
        "GET": Operation(
            "Read one event",
            READ,
            response=EventSchema,
            reads_projection="registration",
            etag=True,
            tags=TAGS,
            response_example=examples.EVENT_OPENED,
            operation_id="getEvent",
        ),
        "PATCH": Operation(
            "Change an event's details, capacity or categories",
            WRITE,
            request=EventUpdateSchema,
            response=EventSchema,
            if_match=True,
            tags=TAGS,
            description="Give only what changes. A capacity below the seats already taken is "
            "refused with 409 `capacity-reached`; a category is never removed.",
            request_example=examples.EVENT_UPDATE,
            response_example=examples.EVENT_UPDATED,
            operation_id="updateEvent",
        ),
    }

    def __init__(self, registration: RegistrationApplication, queries: RegistrationQueries) -> None:
        self.registration = registration
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        row = found(
            self.queries.event(req.context.principal.tenant_id, event_id), _no_event(event_id)
        )
        set_etag(resp, row.version)
        resp.media = EVENT_SCHEMA.dump(row)

    def on_patch(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        body = load_body(req, EVENT_UPDATE_SCHEMA)
        ack = self.registration.update_event(
            req.context.principal.tenant_id, event_id, body, expected_version(req)
        )
        _answer_event(resp, ack)


class RegistrationSwitchResource:
    """Opens or closes an event's registration: one resource, two routes."""

    OPENS = Operation(
        "Open registration: participants may register",
        WRITE,
        response=EventSchema,
        if_match=True,
        tags=TAGS,
        response_example=examples.EVENT_OPENED,
        operation_id="openRegistration",
    )
    CLOSES = Operation(
        "Close registration: no new participants; those registered carry on",
        WRITE,
        response=EventSchema,
        if_match=True,
        tags=TAGS,
        response_example=examples.EVENT_CLOSED,
        operation_id="closeRegistration",
    )

    def __init__(self, registration: RegistrationApplication, *, opens: bool) -> None:
        self.registration = registration
        self.opens = opens
        self.operations = {"POST": self.OPENS if opens else self.CLOSES}

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        load_body(req, EMPTY_SCHEMA)
        switch = (
            self.registration.open_registration
            if self.opens
            else self.registration.close_registration
        )
        ack = switch(req.context.principal.tenant_id, event_id, expected_version(req))
        _answer_event(resp, ack)


class WorkflowResource:
    operations = {
        "GET": Operation(
            "Read the workflow new registrations follow, or any published version",
            READ,
            response=WorkflowDocumentSchema,
            query=WorkflowQuerySchema,
            reads_projection="registration",
            etag=True,
            tags=TAGS,
            errors=(404,),
            description="The ETag is the event's version, as If-Match on PUT expects. "
            "`?version=N` reads the definition participants registered under version N follow.",
            response_example=examples.WORKFLOW_DOCUMENT,
            operation_id="getWorkflow",
        ),
        "PUT": Operation(
            "Publish a new workflow version for new registrations",
            WRITE,
            request=WorkflowPublishSchema,
            response=WorkflowDocumentSchema,
            if_match=True,
            tags=TAGS,
            description="Participants already registered stay on the version they started. "
            "A definition equal to the current one publishes nothing. An invalid one is "
            "refused with 422 listing every problem, each at its path under `workflow`.",
            request_example=examples.WORKFLOW_PUBLISH,
            response_example=examples.WORKFLOW_DOCUMENT,
            operation_id="publishWorkflow",
        ),
    }

    def __init__(self, registration: RegistrationApplication, queries: RegistrationQueries) -> None:
        self.registration = registration
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        tenant_id = req.context.principal.tenant_id
        version = load_query(req, WORKFLOW_QUERY_SCHEMA).get("version")
        row = found(self.queries.event(tenant_id, event_id), _no_event(event_id))
        published = None
        if version is not None:
            definition = found(
                self.queries.workflow(tenant_id, event_id, version),
                f"the event has no workflow version {version}",
            )
            published = (version, definition)
        set_etag(resp, row.version)
        resp.media = workflow_document(row, published)

    def on_put(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        body = load_body(req, WORKFLOW_PUBLISH_SCHEMA)
        ack = self.registration.publish_workflow(
            req.context.principal.tenant_id, event_id, body["workflow"], expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = workflow_document(ack.aggregate)
