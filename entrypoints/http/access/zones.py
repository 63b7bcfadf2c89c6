"""An event's zones: list, add, read, change, remove; their capacity and entry rules."""

from __future__ import annotations

from uuid import UUID

import falcon

from adapters.access.venue_queries import VenueQueries
from domain.access.application import AccessApplication
from domain.platform.permissions import Permission
from entrypoints.http.access import venue_examples as examples
from entrypoints.http.access.venue_documents import (
    ZONE_PAGE_SCHEMA,
    ZONE_RULES_SCHEMA,
    ZONE_SCHEMA,
    ManagedEvents,
    removed_document,
    zone_document,
    zone_rules_document,
)
from entrypoints.http.access.venue_schemas import (
    RemovedSchema,
    ZoneCapacitySchema,
    ZoneCreateSchema,
    ZonePageSchema,
    ZoneRulesReplaceSchema,
    ZoneRulesSchema,
    ZoneSchema,
    ZoneUpdateSchema,
)
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
from entrypoints.http.schemas import EmptySchema

READ = Permission.ACCESS_READ
MANAGE = Permission.ACCESS_MANAGE
TAGS = ("access",)
PROJECTION = "venues"

ZONE_CREATE_SCHEMA = ZoneCreateSchema()
ZONE_UPDATE_SCHEMA = ZoneUpdateSchema()
ZONE_CAPACITY_SCHEMA = ZoneCapacitySchema()
ZONE_RULES_REPLACE_SCHEMA = ZoneRulesReplaceSchema()
EMPTY_SCHEMA = EmptySchema()


def no_event(event_id: UUID) -> str:
    return f"no event with id {event_id}"


def _no_zone(zone_id: UUID) -> str:
    return f"no zone with id {zone_id}"


class ZonesResource:
    operations = {
        "GET": Operation(
            "List an event's zones, oldest first",
            READ,
            response=ZonePageSchema,
            paginated=True,
            reads_projection=PROJECTION,
            # The event is looked up in the events' view: the key's new event is waited for.
            also_reads=("registration",),
            tags=TAGS,
            response_example=examples.ZONE_PAGE,
            operation_id="listZones",
        ),
        "POST": Operation(
            "Add a zone to an event, inside another zone or on its own",
            MANAGE,
            status=201,
            request=ZoneCreateSchema,
            response=ZoneSchema,
            creates=True,
            if_match=True,
            tags=TAGS,
            description="The code is unique among the event's zones (409 `zone-code-taken`). "
            "People inside a zone count toward every zone it sits in. A new zone has no rules: "
            "it is open to every approved participant at any time.",
            request_example=examples.ZONE_CREATE,
            response_example=examples.ZONE,
            operation_id="createZone",
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
        page = self.queries.zones(tenant_id, event_id, page_limit(req), req.get_param("cursor"))
        resp.media = ZONE_PAGE_SCHEMA.dump(page)

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        body = load_body(req, ZONE_CREATE_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        self.events.categories(tenant_id, event_id)
        added = self.access.add_zone(
            tenant_id, event_id, **body, expected_version=expected_version(req)
        )
        answer_created(resp, added.ack, f"/v1/events/{event_id}/zones/{added.id}")
        resp.media = zone_document(added.ack.aggregate, added.id)


class ZoneResource:
    operations = {
        "GET": Operation(
            "Read one zone",
            READ,
            response=ZoneSchema,
            reads_projection=PROJECTION,
            etag=True,
            tags=TAGS,
            response_example=examples.ZONE,
            operation_id="getZone",
        ),
        "PATCH": Operation(
            "Rename a zone, move it inside another, or change its re-entry policy",
            MANAGE,
            request=ZoneUpdateSchema,
            response=ZoneSchema,
            if_match=True,
            tags=TAGS,
            description="Give only what changes; `parent_id: null` takes it out of every zone. "
            "A zone never sits inside itself or one of its own zones (422 `zone-nesting`).",
            request_example=examples.ZONE_UPDATE,
            response_example=examples.ZONE_UPDATED,
            operation_id="updateZone",
        ),
        "DELETE": Operation(
            "Remove a zone, with its rules",
            MANAGE,
            response=RemovedSchema,
            if_match=True,
            tags=TAGS,
            description="Refused with 409 `zone-in-use` while zones sit inside it or "
            "checkpoints lead to it.",
            response_example=examples.ZONE_REMOVED,
            operation_id="removeZone",
        ),
    }

    def __init__(
        self, access: AccessApplication, queries: VenueQueries, events: ManagedEvents
    ) -> None:
        self.access = access
        self.queries = queries
        self.events = events

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, zone_id: UUID
    ) -> None:
        row = found(
            self.queries.zone(req.context.principal.tenant_id, event_id, zone_id),
            _no_zone(zone_id),
        )
        set_etag(resp, row.version)
        resp.media = ZONE_SCHEMA.dump(row)

    def on_patch(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, zone_id: UUID
    ) -> None:
        body = load_body(req, ZONE_UPDATE_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        self.events.categories(tenant_id, event_id)
        ack = self.access.change_zone(tenant_id, event_id, zone_id, body, expected_version(req))
        answer_command(resp, ack)
        resp.media = zone_document(ack.aggregate, zone_id)

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, zone_id: UUID
    ) -> None:
        tenant_id = req.context.principal.tenant_id
        self.events.categories(tenant_id, event_id)
        ack = self.access.remove_zone(tenant_id, event_id, zone_id, expected_version(req))
        answer_command(resp, ack)
        resp.media = removed_document(zone_id, ack.aggregate)


class ZoneCapacityResource:
    operations = {
        "PUT": Operation(
            "Set a zone's capacity",
            MANAGE,
            request=ZoneCapacitySchema,
            response=ZoneSchema,
            if_match=True,
            tags=TAGS,
            description="Null removes the limit. A capacity below the people inside is "
            "accepted: those inside stay, and no one else gets in until enough have left.",
            request_example=examples.ZONE_CAPACITY,
            response_example=examples.ZONE_CAPACITY_CHANGED,
            operation_id="setZoneCapacity",
        ),
    }

    def __init__(self, access: AccessApplication, events: ManagedEvents) -> None:
        self.access = access
        self.events = events

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, zone_id: UUID
    ) -> None:
        body = load_body(req, ZONE_CAPACITY_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        self.events.categories(tenant_id, event_id)
        ack = self.access.change_zone_capacity(
            tenant_id, event_id, zone_id, body["capacity"], expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = zone_document(ack.aggregate, zone_id)


class ZoneRulesResource:
    operations = {
        "GET": Operation(
            "Read who may enter a zone, and when",
            READ,
            response=ZoneRulesSchema,
            reads_projection=PROJECTION,
            etag=True,
            tags=TAGS,
            response_example=examples.ZONE_RULES,
            operation_id="getZoneRules",
        ),
        "PUT": Operation(
            "Replace who may enter a zone, and when",
            MANAGE,
            request=ZoneRulesReplaceSchema,
            response=ZoneRulesSchema,
            if_match=True,
            tags=TAGS,
            description="A zone with no rules is open to every approved participant at any "
            "time; with rules, only the categories they name get in, each in its time windows "
            "(none: at any time). Entering a zone also needs the rules of every zone it sits "
            "in to admit. A category the event does not have is refused with 422.",
            request_example=examples.ZONE_RULES_REPLACE,
            response_example=examples.ZONE_RULES,
            operation_id="replaceZoneRules",
        ),
    }

    def __init__(
        self, access: AccessApplication, queries: VenueQueries, events: ManagedEvents
    ) -> None:
        self.access = access
        self.queries = queries
        self.events = events

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, zone_id: UUID
    ) -> None:
        row = found(
            self.queries.zone_rules(req.context.principal.tenant_id, event_id, zone_id),
            _no_zone(zone_id),
        )
        set_etag(resp, row.version)
        resp.media = ZONE_RULES_SCHEMA.dump(row)

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, zone_id: UUID
    ) -> None:
        body = load_body(req, ZONE_RULES_REPLACE_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        categories = self.events.categories(tenant_id, event_id)
        ack = self.access.replace_zone_rules(
            tenant_id, event_id, zone_id, body["rules"], categories, expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = zone_rules_document(ack.aggregate, zone_id)
