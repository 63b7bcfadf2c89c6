"""An event's occupancy: who is inside each zone now, peaks, and quarter-hour counts."""

from __future__ import annotations

from uuid import UUID

import falcon

from adapters.access.occupancy_queries import OccupancyQueries
from entrypoints.http.access import report_examples as examples
from entrypoints.http.access.access_log import READ, TAGS, Listed
from entrypoints.http.access.report_schemas import (
    BucketPageSchema,
    BucketQuerySchema,
    InsidePageSchema,
    OccupancySchema,
)
from entrypoints.http.access.zones import no_event
from entrypoints.http.requests import found, load_query, page_limit
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema

PROJECTION = "occupancy"

# Built once: a marshmallow schema is costly to build and safe to share.
OCCUPANCY_SCHEMA = OccupancySchema()
BUCKET_QUERY_SCHEMA = BucketQuerySchema()
BUCKET_PAGE_SCHEMA = BucketPageSchema()
INSIDE_PAGE_SCHEMA = InsidePageSchema()
EMPTY_SCHEMA = EmptySchema()


def _tenant_of_event(req: falcon.Request, listed: Listed, event_id: UUID) -> UUID:
    """The caller's tenant, once the event is known to be its own (else 404)."""
    tenant_id: UUID = req.context.principal.tenant_id
    found(listed(tenant_id, event_id) or None, no_event(event_id))
    return tenant_id


def _require_zone(
    queries: OccupancyQueries, tenant_id: UUID, event_id: UUID, zone_id: UUID
) -> None:
    """A zone the event does not have is a 404, not an empty answer."""
    found(queries.zone_known(tenant_id, event_id, zone_id) or None, f"no zone with id {zone_id}")


class OccupancyResource:
    operations = {
        "GET": Operation(
            "How many are inside the event and each of its zones now, and at their peaks",
            READ,
            response=OccupancySchema,
            reads_projection=PROJECTION,
            also_reads=("registration",),
            tags=TAGS,
            description="`inside` of the event counts each person inside any of its zones "
            "once; a zone counts everyone inside the zones nested in it too. Every count is "
            "the moves in minus the moves out its scans and annulments made.",
            response_example=examples.OCCUPANCY,
            operation_id="getOccupancy",
        ),
    }

    def __init__(self, queries: OccupancyQueries, listed: Listed) -> None:
        self.queries = queries
        self.listed = listed

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        load_query(req, EMPTY_SCHEMA)
        tenant_id = _tenant_of_event(req, self.listed, event_id)
        resp.media = OCCUPANCY_SCHEMA.dump(self.queries.occupancy(tenant_id, event_id))


class OccupancyBucketsResource:
    operations = {
        "GET": Operation(
            "Entries, exits, denials and annulments per quarter hour, of the event or a zone",
            READ,
            response=BucketPageSchema,
            paginated=True,
            query=BucketQuerySchema,
            reads_projection=PROJECTION,
            also_reads=("registration",),
            tags=TAGS,
            description="Quarter hours start on :00, :15, :30 and :45 UTC; only those with "
            "any count are listed, oldest first. A scan counts in the quarter hour it was read "
            "in, an annulment in the one it was recorded in. A zone's entries and exits are "
            "moves into and out of it (an annulled entry is an exit); the event's are people "
            "coming into their first zone and leaving their last. A `zone_id` the event does "
            "not have is a 404.",
            response_example=examples.BUCKET_PAGE,
            operation_id="listOccupancyBuckets",
        ),
    }

    def __init__(self, queries: OccupancyQueries, listed: Listed) -> None:
        self.queries = queries
        self.listed = listed

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        loaded = load_query(req, BUCKET_QUERY_SCHEMA)
        tenant_id = _tenant_of_event(req, self.listed, event_id)
        zone_id = loaded.get("zone_id")
        if zone_id is not None:
            _require_zone(self.queries, tenant_id, event_id, zone_id)
        page = self.queries.buckets(
            tenant_id,
            event_id,
            zone_id,
            (loaded.get("from_"), loaded.get("to")),
            page_limit(req),
            req.get_param("cursor"),
        )
        resp.media = BUCKET_PAGE_SCHEMA.dump(page)


class ZoneInsideResource:
    operations = {
        "GET": Operation(
            "Who is inside a zone now, longest there first",
            READ,
            response=InsidePageSchema,
            paginated=True,
            reads_projection=PROJECTION,
            also_reads=("registration",),
            tags=TAGS,
            response_example=examples.INSIDE_PAGE,
            operation_id="listZoneInside",
        ),
    }

    def __init__(self, queries: OccupancyQueries, listed: Listed) -> None:
        self.queries = queries
        self.listed = listed

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, zone_id: UUID
    ) -> None:
        load_query(req, EMPTY_SCHEMA)
        tenant_id = _tenant_of_event(req, self.listed, event_id)
        _require_zone(self.queries, tenant_id, event_id, zone_id)
        page = self.queries.inside(
            tenant_id, event_id, zone_id, page_limit(req), req.get_param("cursor")
        )
        resp.media = INSIDE_PAGE_SCHEMA.dump(page)
