"""Bulk operation queries: one operation's status, the tenant's operations, their items."""

from __future__ import annotations

from uuid import UUID

import falcon

from adapters.operations.queries import BulkQueries
from domain.platform.features import Feature
from domain.platform.permissions import Permission
from entrypoints.http.operations import examples
from entrypoints.http.operations.documents import Kinds, row_document
from entrypoints.http.operations.schemas import (
    BulkItemPageSchema,
    BulkItemQuerySchema,
    BulkOperationPageSchema,
    BulkOperationQuerySchema,
    BulkOperationSchema,
)
from entrypoints.http.requests import found, load_query, page_limit, set_etag
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema

# Following an operation needs no power to run one: what its status and items show
# (participant ids, each one's result) is what participants:read shows already.
READ = Permission.PARTICIPANTS_READ
FEATURE = Feature.BULK_OPERATIONS
TAGS = ("bulk-operations",)
PROJECTION = "bulk_operations"

QUERY_SCHEMA = BulkOperationQuerySchema()
ITEM_QUERY_SCHEMA = BulkItemQuerySchema()
ITEM_PAGE_SCHEMA = BulkItemPageSchema()
EMPTY_SCHEMA = EmptySchema()


def _missing(operation_id: UUID) -> str:
    return f"no bulk operation with id {operation_id}"


class BulkOperationResource:
    operations = {
        "GET": Operation(
            "A bulk operation's status: its state, progress and rate, and where to go next",
            READ,
            response=BulkOperationSchema,
            feature=FEATURE,
            reads_projection=PROJECTION,
            etag=True,
            tags=TAGS,
            description="`items_per_second` is the items done since its items were selected, "
            "per second; `estimated_end_at` the end at that rate while it runs. `links` names "
            "the commands that make sense in its state (null: none). Another tenant's "
            "operation is a 404.",
            response_example=examples.RUNNING,
            operation_id="getBulkOperation",
        ),
    }

    def __init__(self, queries: BulkQueries, kinds: Kinds) -> None:
        self.queries = queries
        self.kinds = kinds

    def on_get(self, req: falcon.Request, resp: falcon.Response, operation_id: UUID) -> None:
        load_query(req, EMPTY_SCHEMA)
        row = found(
            self.queries.operation(req.context.principal.tenant_id, operation_id),
            _missing(operation_id),
        )
        set_etag(resp, row.version)
        resp.media = row_document(self.kinds, row)


class BulkOperationListResource:
    operations = {
        "GET": Operation(
            "The tenant's bulk operations, newest first",
            READ,
            response=BulkOperationPageSchema,
            paginated=True,
            query=BulkOperationQuerySchema,
            feature=FEATURE,
            reads_projection=PROJECTION,
            tags=TAGS,
            response_example=examples.OPERATION_PAGE,
            operation_id="listBulkOperations",
        ),
    }

    def __init__(self, queries: BulkQueries, kinds: Kinds) -> None:
        self.queries = queries
        self.kinds = kinds

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, QUERY_SCHEMA)
        page = self.queries.operations(
            req.context.principal.tenant_id,
            page_limit(req),
            req.get_param("cursor"),
            event_id=query.get("event_id"),
            state=query.get("state"),
        )
        # Each item is dumped by the operation's own schema already.
        items = [row_document(self.kinds, row) for row in page.items]
        resp.media = {"items": items, "next_cursor": page.next_cursor}


class BulkItemsResource:
    operations = {
        "GET": Operation(
            "A bulk operation's items in order, each with its result",
            READ,
            response=BulkItemPageSchema,
            paginated=True,
            query=BulkItemQuerySchema,
            feature=FEATURE,
            reads_projection=PROJECTION,
            tags=TAGS,
            description="An item is pending until its command ran; a refused one names the "
            "problem type the command answered. None are listed before the selection is "
            "resolved. Another tenant's operation is a 404.",
            response_example=examples.ITEM_PAGE,
            operation_id="listBulkOperationItems",
        ),
    }

    def __init__(self, queries: BulkQueries) -> None:
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, operation_id: UUID) -> None:
        query = load_query(req, ITEM_QUERY_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        found(self.queries.operation(tenant_id, operation_id), _missing(operation_id))
        page = self.queries.items(
            tenant_id,
            operation_id,
            page_limit(req),
            req.get_param("cursor"),
            result=query.get("result"),
        )
        resp.media = ITEM_PAGE_SCHEMA.dump(page)
