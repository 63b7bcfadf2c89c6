"""An event's checkpoints (gates): list, add, read, change, remove, activate, deactivate."""

from __future__ import annotations

from uuid import UUID

import falcon

from adapters.access.venue_queries import VenueQueries
from domain.access.application import AccessApplication
from entrypoints.http.access import venue_examples as examples
from entrypoints.http.access.venue_documents import (
    CHECKPOINT_PAGE_SCHEMA,
    CHECKPOINT_SCHEMA,
    ManagedEvents,
    checkpoint_document,
    removed_document,
)
from entrypoints.http.access.venue_schemas import (
    CheckpointCreateSchema,
    CheckpointPageSchema,
    CheckpointSchema,
    CheckpointUpdateSchema,
    RemovedSchema,
)
from entrypoints.http.access.zones import EMPTY_SCHEMA, MANAGE, PROJECTION, READ, TAGS, no_event
from entrypoints.http.requests import (
    answer_command,
    answer_created,
    expected_version,
    found,
    load_body,
    load_query,
    page_limit,
    set_etag,
)
from entrypoints.http.responders import Operation

CHECKPOINT_CREATE_SCHEMA = CheckpointCreateSchema()
CHECKPOINT_UPDATE_SCHEMA = CheckpointUpdateSchema()


def _no_checkpoint(checkpoint_id: UUID) -> str:
    return f"no checkpoint with id {checkpoint_id}"


class CheckpointsResource:
    operations = {
        "GET": Operation(
            "List an event's checkpoints, oldest first",
            READ,
            response=CheckpointPageSchema,
            paginated=True,
            reads_projection=PROJECTION,
            # The event is looked up in the events' view: the key's new event is waited for.
            also_reads=("registration",),
            tags=TAGS,
            response_example=examples.CHECKPOINT_PAGE,
            operation_id="listCheckpoints",
        ),
        "POST": Operation(
            "Add a checkpoint leading into or out of one of the event's zones",
            MANAGE,
            status=201,
            request=CheckpointCreateSchema,
            response=CheckpointSchema,
            creates=True,
            if_match=True,
            tags=TAGS,
            description="ENTRY leads into its zone, EXIT out of it, BOTH either way. A new "
            "checkpoint is active. The event needs a zone first.",
            request_example=examples.CHECKPOINT_CREATE,
            response_example=examples.CHECKPOINT,
            operation_id="createCheckpoint",
        ),
    }

    def __init__(
        self, access: AccessApplication, queries: VenueQueries, events: ManagedEvents
    ) -> None:
        self.access = access
        self.queries = queries
        self.events = events

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        load_query(req, EMPTY_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        found(self.events.listed(tenant_id, event_id) or None, no_event(event_id))
        page = self.queries.checkpoints(
            tenant_id, event_id, page_limit(req), req.get_param("cursor")
        )
        resp.media = CHECKPOINT_PAGE_SCHEMA.dump(page)

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        body = load_body(req, CHECKPOINT_CREATE_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        self.events.categories(tenant_id, event_id)
        added = self.access.add_checkpoint(
            tenant_id, event_id, **body, expected_version=expected_version(req)
        )
        answer_created(resp, added.ack, f"/v1/events/{event_id}/checkpoints/{added.id}")
        resp.media = checkpoint_document(added.ack.aggregate, added.id)


class CheckpointResource:
    operations = {
        "GET": Operation(
            "Read one checkpoint",
            READ,
            response=CheckpointSchema,
            reads_projection=PROJECTION,
            etag=True,
            tags=TAGS,
            response_example=examples.CHECKPOINT,
            operation_id="getCheckpoint",
        ),
        "PATCH": Operation(
            "Rename a checkpoint, change its direction, or lead it to another zone",
            MANAGE,
            request=CheckpointUpdateSchema,
            response=CheckpointSchema,
            if_match=True,
            tags=TAGS,
            description="Give only what changes.",
            request_example=examples.CHECKPOINT_UPDATE,
            response_example=examples.CHECKPOINT_UPDATED,
            operation_id="updateCheckpoint",
        ),
        "DELETE": Operation(
            "Remove a checkpoint",
            MANAGE,
            response=RemovedSchema,
            if_match=True,
            tags=TAGS,
            response_example=examples.CHECKPOINT_REMOVED,
            operation_id="removeCheckpoint",
        ),
    }

    def __init__(
        self, access: AccessApplication, queries: VenueQueries, events: ManagedEvents
    ) -> None:
        self.access = access
        self.queries = queries
        self.events = events

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, checkpoint_id: UUID
    ) -> None:
        row = found(
            self.queries.checkpoint(req.context.principal.tenant_id, event_id, checkpoint_id),
            _no_checkpoint(checkpoint_id),
        )
        set_etag(resp, row.version)
        resp.media = CHECKPOINT_SCHEMA.dump(row)

    def on_patch(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, checkpoint_id: UUID
    ) -> None:
        body = load_body(req, CHECKPOINT_UPDATE_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        self.events.categories(tenant_id, event_id)
        ack = self.access.change_checkpoint(
            tenant_id, event_id, checkpoint_id, body, expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = checkpoint_document(ack.aggregate, checkpoint_id)

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, checkpoint_id: UUID
    ) -> None:
        tenant_id = req.context.principal.tenant_id
        self.events.categories(tenant_id, event_id)
        ack = self.access.remove_checkpoint(
            tenant_id, event_id, checkpoint_id, expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = removed_document(checkpoint_id, ack.aggregate)


class CheckpointSwitchResource:
    """Activates or deactivates a checkpoint: one resource, two routes."""

    ACTIVATES = Operation(
        "Activate a checkpoint: it lets people through",
        MANAGE,
        response=CheckpointSchema,
        if_match=True,
        tags=TAGS,
        description="An active checkpoint stays as it is and records nothing.",
        response_example=examples.CHECKPOINT_ACTIVATED,
        operation_id="activateCheckpoint",
    )
    DEACTIVATES = Operation(
        "Deactivate a checkpoint: it lets no one through",
        MANAGE,
        response=CheckpointSchema,
        if_match=True,
        tags=TAGS,
        description="An inactive checkpoint stays as it is and records nothing.",
        response_example=examples.CHECKPOINT_DEACTIVATED,
        operation_id="deactivateCheckpoint",
    )

    def __init__(self, access: AccessApplication, events: ManagedEvents, *, activates: bool):
        self.access = access
        self.events = events
        self.activates = activates
        self.operations = {"POST": self.ACTIVATES if activates else self.DEACTIVATES}

    def on_post(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, checkpoint_id: UUID
    ) -> None:
        load_body(req, EMPTY_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        self.events.categories(tenant_id, event_id)
        ack = self.access.switch_checkpoint(
            tenant_id, event_id, checkpoint_id, self.activates, expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = checkpoint_document(ack.aggregate, checkpoint_id)
