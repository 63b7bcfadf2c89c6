"""The operations context wired: bulk operations, their routes and problem types."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from adapters.access.credential_queries import CredentialQueries
from adapters.access.undelivered_codes import UndeliveredCodes
from adapters.operations.queries import BulkQueries
from adapters.registration.queries import RegistrationQueries
from adapters.sql.eventstore import cipher
from domain.access.application import AccessApplication
from domain.access.bulk_kinds import access_kinds
from domain.access.credential import credential_id
from domain.operations.application import OperationsApplication
from domain.registration.bulk_kinds import registration_kinds
from domain.shared.bulk_kinds import BulkKind
from domain.waitlists.application import WaitlistedRegistration
from domain.waitlists.bulk_kinds import waitlist_kinds
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
from entrypoints.wiring.context import Context, ProblemTypes, Route, ViewAccess


def bulk_kinds(c: Container) -> dict[str, BulkKind]:
    """Every context's bulk kinds, by name."""
    access = c.app(AccessApplication)
    codes = UndeliveredCodes(c.service_engine, cipher(c.settings))

    def keep_code(tenant_id: UUID, participant_id: UUID, code: str) -> None:
        credential = access.credential(tenant_id, participant_id)
        codes.keep(credential_id(participant_id), tenant_id, credential.generation, code)

    registration = c.app(WaitlistedRegistration)
    kinds = [
        *registration_kinds(registration),
        *access_kinds(access, keep_code),
        *waitlist_kinds(registration),
    ]
    return {kind.name: kind for kind in kinds}


def _queries(access: ViewAccess) -> BulkQueries:
    return BulkQueries(access.reader)


def _routes(c: Container) -> Sequence[Route]:
    operations, queries, kinds = c.app(OperationsApplication), c.query(BulkQueries), bulk_kinds(c)
    events = c.query(RegistrationQueries)
    preflight = Preflight(events, c.query(CredentialQueries))

    def known(tenant_id: UUID, event_id: UUID) -> bool:
        return events.event(tenant_id, event_id) is not None

    requests = "/v1/events/{event_id:uuid}/bulk-operations"
    operation = "/v1/bulk-operations/{operation_id:uuid}"
    return [
        (requests, BulkOperationsResource(operations, kinds, known)),
        (f"{requests}/preflight", PreflightResource(kinds, preflight, known)),
        ("/v1/bulk-operations", BulkOperationListResource(queries, kinds)),
        (operation, BulkOperationResource(queries, kinds)),
        (f"{operation}/items", BulkItemsResource(queries)),
        *((f"{operation}/{name}", r) for name, r in operation_commands(operations, kinds).items()),
    ]


OPERATIONS = Context(
    name="operations",
    application=OperationsApplication,
    queries=(_queries,),
    routes=_routes,
    problems=ProblemTypes(*operations_problems()),
)
