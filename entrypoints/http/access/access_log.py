"""An event's access log: its decided scans filtered, a page at a time or exported whole."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import falcon

from adapters.access.access_log_queries import AccessLogFilter, AccessLogQueries
from domain.platform.permissions import Permission
from entrypoints.http.access import report_examples as examples
from entrypoints.http.access.report_schemas import (
    AccessLogEntrySchema,
    AccessLogPageSchema,
    AccessLogQuerySchema,
)
from entrypoints.http.access.zones import no_event
from entrypoints.http.requests import found, load_query, page_limit
from entrypoints.http.responders import Operation

READ = Permission.ACCESS_READ
TAGS = ("access",)
PROJECTION = "access_log"
NDJSON = "application/x-ndjson"

# Built once: a marshmallow schema is costly to build and safe to share.
QUERY_SCHEMA = AccessLogQuerySchema()
ENTRY_SCHEMA = AccessLogEntrySchema()
PAGE_SCHEMA = AccessLogPageSchema()

Listed = Callable[[UUID, UUID], bool]  # whether the tenant has the event

_FILTERS = (
    "Filters combine (`result` repeated or comma-separated: any of them); "
    "`scanned_from` is included, `scanned_to` excluded, both RFC 3339 with an offset. "
    "Scans come by scan time, oldest first (ties in the order they were recorded); an offline "
    "batch sent late lands among earlier scans. An annulled scan keeps its place, marked "
    "`annulled`."
)


def _selection(req: falcon.Request, listed: Listed, event_id: UUID) -> tuple[UUID, AccessLogFilter]:
    """The caller's tenant and the filter, once the event is known to be the tenant's."""
    loaded = load_query(req, QUERY_SCHEMA)
    tenant_id: UUID = req.context.principal.tenant_id
    found(listed(tenant_id, event_id) or None, no_event(event_id))
    results = tuple(dict.fromkeys(loaded.pop("result", ())))
    return tenant_id, AccessLogFilter(results=results, **loaded)


class AccessLogResource:
    operations = {
        "GET": Operation(
            "An event's decided scans, denials and annulments included, filtered",
            READ,
            response=AccessLogPageSchema,
            paginated=True,
            query=AccessLogQuerySchema,
            reads_projection=PROJECTION,
            # The event is looked up in the events' view: the key's new event is waited for.
            also_reads=("registration",),
            tags=TAGS,
            description=_FILTERS,
            response_example=examples.ACCESS_LOG_PAGE,
            operation_id="listAccessLog",
        ),
    }

    def __init__(self, queries: AccessLogQueries, listed: Listed) -> None:
        self.queries = queries
        self.listed = listed

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        tenant_id, where = _selection(req, self.listed, event_id)
        page = self.queries.scans(
            tenant_id, event_id, where, page_limit(req), req.get_param("cursor")
        )
        resp.media = PAGE_SCHEMA.dump(page)


class AccessLogExportResource:
    operations = {
        "GET": Operation(
            "Export an event's decided scans, filtered, as NDJSON",
            READ,
            query=AccessLogQuerySchema,
            reads_projection=PROJECTION,
            also_reads=("registration",),
            media_type=NDJSON,
            tags=TAGS,
            description="One JSON object per line, each like an item of the access log's "
            "pages, every matching scan in the same order; the answer is streamed as it is "
            f"read. {_FILTERS}",
            operation_id="exportAccessLog",
        ),
    }

    def __init__(self, queries: AccessLogQueries, listed: Listed) -> None:
        self.queries = queries
        self.listed = listed

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        tenant_id, where = _selection(req, self.listed, event_id)
        resp.content_type = NDJSON
        resp.stream = _lines(self.queries.export(tenant_id, event_id, where))


def _lines(rows: Iterator[Any]) -> Iterator[bytes]:
    for row in rows:
        yield json.dumps(ENTRY_SCHEMA.dump(row), separators=(",", ":")).encode() + b"\n"
