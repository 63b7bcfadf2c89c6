"""The operations context wired: bulk operations, in an event store of their own."""

from __future__ import annotations

from adapters.operations.queries import BulkQueries
from adapters.operations.view import SqlBulkView
from domain.operations.application import OperationsApplication
from entrypoints.wiring.context import Context, ProjectionWiring, ViewAccess
from entrypoints.workers.operations import run_operations
from projections.operations.bulk import BulkProjector


def _queries(access: ViewAccess) -> BulkQueries:
    return BulkQueries(access.reader)


OPERATIONS = Context(
    name="operations",
    application=OperationsApplication,
    projections=(ProjectionWiring(SqlBulkView, BulkProjector),),
    queries=(_queries,),
    workers={"operations": run_operations},
)
