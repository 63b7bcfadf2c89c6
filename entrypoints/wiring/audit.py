"""The auditor's context wired: the history of every context's domain events."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.audit.auditor import Auditor
from adapters.audit.queries import HistoryQueries
from adapters.audit.view import SqlHistoryView
from entrypoints.cli.audit import add_audit_group
from entrypoints.http.audit.resources import (
    AggregateEventsResource,
    AggregateStateResource,
    AuditEventsResource,
    AuditExportResource,
)
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProjectionWiring, Route, ViewAccess
from projections.audit.history import HistoryProjector


def _auditor(access: ViewAccess) -> Auditor:
    return Auditor(HistoryQueries(access.reader, access.applications), access.event_stores)


def _routes(c: Container) -> Sequence[Route]:
    auditor = c.query(Auditor)
    return [
        ("/v1/audit/events", AuditEventsResource(auditor)),
        ("/v1/audit/aggregates/{aggregate_id:uuid}/events", AggregateEventsResource(auditor)),
        ("/v1/audit/aggregates/{aggregate_id:uuid}/state", AggregateStateResource(auditor)),
        ("/v1/audit/export", AuditExportResource(auditor)),
    ]


AUDIT = Context(
    name="audit",
    # The history indexes every application's domain events, whichever contexts are wired.
    projections=(ProjectionWiring(SqlHistoryView, projector_of_all=HistoryProjector),),
    queries=(_auditor,),
    routes=_routes,
    commands=add_audit_group,
)
