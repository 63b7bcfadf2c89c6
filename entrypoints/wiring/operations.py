"""The operations context wired: bulk operations, their read models, routes and executor."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from adapters.access.credential_queries import CredentialQueries
from adapters.operations import import_files  # noqa: F401 (its tables are the service's)
from adapters.operations.queries import BulkQueries
from adapters.operations.view import SqlBulkView
from adapters.registration.queries import RegistrationQueries
from domain.operations.application import OperationsApplication
from domain.registration.application import RegistrationApplication
from domain.shared.errors import NotFound
from entrypoints.http.operations.lists import (
    BulkItemsResource,
    BulkOperationListResource,
    BulkOperationResource,
)
from entrypoints.http.operations.preflight import Preflight
from entrypoints.http.operations.problems import operations_problems
from entrypoints.http.operations.resources import (
    BulkOperationsResource,
    PreflightResource,
    operation_commands,
)
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProblemTypes, ProjectionWiring, Route, ViewAccess
from entrypoints.workers.operations import run_operations
from projections.operations.bulk import BulkProjector


def _queries(access: ViewAccess) -> BulkQueries:
    return BulkQueries(access.reader)


def _routes(c: Container) -> Sequence[Route]:
    # The actions come from every context's wiring entry, each through its own commands.
    operations, queries, kinds = c.app(OperationsApplication), c.query(BulkQueries), c.bulk_kinds()
    registration, events = c.app(RegistrationApplication), c.query(RegistrationQueries)
    preflight = Preflight(events, c.query(CredentialQueries))

    def exists(tenant_id: UUID, event_id: UUID) -> bool:
        # A command asks the event itself: commands never read views.
        try:
            registration.event(tenant_id, event_id)
        except NotFound:
            return False
        return True

    def listed(tenant_id: UUID, event_id: UUID) -> bool:
        return events.event(tenant_id, event_id) is not None

    requests = "/v1/events/{event_id:uuid}/bulk-operations"
    operation = "/v1/bulk-operations/{operation_id:uuid}"
    return [
        (requests, BulkOperationsResource(operations, kinds, exists)),
        (f"{requests}/preflight", PreflightResource(kinds, preflight, listed)),
        ("/v1/bulk-operations", BulkOperationListResource(queries, kinds)),
        (operation, BulkOperationResource(queries, kinds)),
        (f"{operation}/items", BulkItemsResource(queries)),
        *((f"{operation}/{name}", r) for name, r in operation_commands(operations, kinds).items()),
    ]


OPERATIONS = Context(
    name="operations",
    application=OperationsApplication,
    projections=(ProjectionWiring(SqlBulkView, BulkProjector),),
    queries=(_queries,),
    routes=_routes,
    workers={"operations": run_operations},
    problems=ProblemTypes(*operations_problems()),
)
