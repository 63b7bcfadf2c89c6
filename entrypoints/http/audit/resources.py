"""The auditor's API: the tenant's history of domain events, and any aggregate's past states."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import falcon

from adapters.audit.auditor import AuditEntry, Auditor
from adapters.audit.queries import HistoryFilter
from adapters.sql.paging import Page
from domain.platform.permissions import Permission
from entrypoints.http.audit import examples
from entrypoints.http.audit.schemas import (
    AggregateStateQuerySchema,
    AggregateStateSchema,
    AuditEventPageSchema,
    HistoryQuerySchema,
    aggregate_state,
    audit_event,
)
from entrypoints.http.problems import Problem
from entrypoints.http.requests import int_param, load_query, set_etag
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema

AUDIT_READ = Permission.AUDIT_READ
NDJSON = "application/x-ndjson"
HISTORY_QUERY_SCHEMA = HistoryQuerySchema()
STATE_QUERY_SCHEMA = AggregateStateQuerySchema()
EMPTY_QUERY_SCHEMA = EmptySchema()
TAGS = ("audit",)
ITEM_NOTE = (
    "Each item holds the domain event's type, application and position, the aggregate's id, "
    "type and version, when it occurred, who caused it (actor, correlation and causation ids) "
    "and its payload, read from the event store, with secret material [redacted]."
)


def _filter(req: falcon.Request) -> HistoryFilter:
    return HistoryFilter(**load_query(req, HISTORY_QUERY_SCHEMA))


def _limit(req: falcon.Request) -> int:
    return int_param(req, "limit", 50, 1, 200)


def _page_document(page: Page[AuditEntry]) -> dict[str, Any]:
    return {"items": [audit_event(e) for e in page.items], "next_cursor": page.next_cursor}


class AuditEventsResource:
    operations = {
        "GET": Operation(
            "Your tenant's history of domain events in every context, oldest first",
            AUDIT_READ,
            response=AuditEventPageSchema,
            paginated=True,
            query=HistoryQuerySchema,
            reads_projection="history",
            tags=TAGS,
            description=(
                "Each context's domain events in the order its store recorded them "
                "(position), contexts merged by occurred_at; a domain event recorded after "
                f"a page was read is on a later page, never skipped. {ITEM_NOTE}"
            ),
            response_example=examples.AUDIT_EVENT_PAGE,
            operation_id="listAuditEvents",
        ),
    }

    def __init__(self, auditor: Auditor) -> None:
        self.auditor = auditor

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        where = _filter(req)
        page = self.auditor.history(
            req.context.principal.tenant_id, where, _limit(req), req.get_param("cursor")
        )
        resp.media = _page_document(page)


class AggregateEventsResource:
    operations = {
        "GET": Operation(
            "One aggregate's full history of domain events, in version order",
            AUDIT_READ,
            response=AuditEventPageSchema,
            paginated=True,
            reads_projection="history",
            tags=TAGS,
            description=f"Another tenant's aggregate is not found. {ITEM_NOTE}",
            response_example=examples.AUDIT_EVENT_PAGE,
            operation_id="listAggregateEvents",
        ),
    }

    def __init__(self, auditor: Auditor) -> None:
        self.auditor = auditor

    def on_get(self, req: falcon.Request, resp: falcon.Response, aggregate_id: UUID) -> None:
        load_query(req, EMPTY_QUERY_SCHEMA)
        page = self.auditor.aggregate_history(
            req.context.principal.tenant_id, aggregate_id, _limit(req), req.get_param("cursor")
        )
        resp.media = _page_document(page)


class AggregateStateResource:
    operations = {
        "GET": Operation(
            "An aggregate's state as of a version or a moment, rebuilt from its domain events",
            AUDIT_READ,
            response=AggregateStateSchema,
            query=AggregateStateQuerySchema,
            reads_projection="history",
            etag=True,
            errors=(422,),
            tags=TAGS,
            description="Give `version` or `at` (neither: the latest). A version the aggregate "
            "has not reached, or a time before it was created, is refused with 422. Public "
            "attributes only; secret material is [redacted].",
            response_example=examples.AGGREGATE_STATE,
            operation_id="getAggregateState",
        ),
    }

    def __init__(self, auditor: Auditor) -> None:
        self.auditor = auditor

    def on_get(self, req: falcon.Request, resp: falcon.Response, aggregate_id: UUID) -> None:
        given = load_query(req, STATE_QUERY_SCHEMA)
        if len(given) > 1:
            raise Problem(
                "invalid-parameter",
                "give version or at, not both",
                errors=[{"field": "at", "message": "not allowed together with version"}],
            )
        state = self.auditor.state(req.context.principal.tenant_id, aggregate_id, **given)
        set_etag(resp, state.version)
        resp.media = aggregate_state(state)


class AuditExportResource:
    operations = {
        "GET": Operation(
            "Your tenant's history as JSON lines, for offline review",
            AUDIT_READ,
            query=HistoryQuerySchema,
            reads_projection="history",
            media_type=NDJSON,
            attachment=True,
            tags=TAGS,
            description="Takes the filters of /v1/audit/events; one item per line, in the same "
            "order, streamed as it is read.",
            response_example=examples.EXPORT,
            operation_id="exportAuditEvents",
        ),
    }

    def __init__(self, auditor: Auditor) -> None:
        self.auditor = auditor

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        where = _filter(req)
        tenant_id: UUID = req.context.principal.tenant_id
        resp.content_type = NDJSON
        resp.downloadable_as = f"audit-{tenant_id}.ndjson"
        resp.stream = self._lines(tenant_id, where)

    def _lines(self, tenant_id: UUID, where: HistoryFilter) -> Iterator[bytes]:
        lines: list[str] = []
        for audited in self.auditor.export(tenant_id, where):
            lines.append(json.dumps(audit_event(audited), separators=(",", ":")))
            if len(lines) >= 500:
                yield ("\n".join(lines) + "\n").encode()
                lines = []
        if lines:
            yield ("\n".join(lines) + "\n").encode()
