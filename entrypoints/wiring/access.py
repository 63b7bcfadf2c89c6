"""The access-control context wired: zones, checkpoints, credentials and scans."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from adapters.access.access_log_queries import AccessLogQueries
from adapters.access.access_log_view import SqlAccessLogView
from adapters.access.credential_queries import CredentialQueries
from adapters.access.credential_view import SqlCredentialsView
from adapters.access.occupancy_queries import OccupancyQueries
from adapters.access.occupancy_view import SqlOccupancyView
from adapters.access.scan_channel import ScanClient
from adapters.access.scan_desk import DeskLock, ScanDesk
from adapters.access.undelivered_codes import UndeliveredCodes
from adapters.access.venue_queries import VenueQueries
from adapters.access.venue_view import SqlVenuesView
from adapters.projection.pg_leadership import conninfo_of
from adapters.registration.queries import RegistrationQueries
from adapters.sql.eventstore import cipher
from domain.access.application import AccessApplication
from domain.access.bulk_kinds import access_kinds
from domain.access.credential import Credential
from domain.registration.application import RegistrationApplication
from domain.shared.bulk_kinds import BulkKind
from entrypoints.http.access.access_log import AccessLogExportResource, AccessLogResource
from entrypoints.http.access.checkpoints import (
    CheckpointResource,
    CheckpointsResource,
    CheckpointSwitchResource,
)
from entrypoints.http.access.credentials import (
    BadgeCodeResource,
    CredentialChangeResource,
    CredentialReissueResource,
    CredentialResource,
    EventCredentialsResource,
)
from entrypoints.http.access.occupancy import (
    OccupancyBucketsResource,
    OccupancyResource,
    ZoneInsideResource,
)
from entrypoints.http.access.scans import (
    CheckOutResource,
    ScanAnnulResource,
    ScanBatchResource,
    Scanner,
    ScansResource,
)
from entrypoints.http.access.venue_documents import ManagedEvents
from entrypoints.http.access.zones import (
    ZoneCapacityResource,
    ZoneResource,
    ZoneRulesResource,
    ZonesResource,
)
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProjectionWiring, Route, ViewAccess
from entrypoints.workers.credentials import run_credentials
from entrypoints.workers.scans import note_positions, run_scan_decider
from projections.access.access_log import AccessLogProjector
from projections.access.credentials import CredentialsProjector
from projections.access.occupancy import OccupancyProjector
from projections.access.venues import VenuesProjector

# Venues: an event's zones and checkpoints.


def _venue_queries(access: ViewAccess) -> VenueQueries:
    return VenueQueries(access.reader)


def _managed_events(c: Container) -> ManagedEvents:
    """Registration's events as the access API asks about them, never importing it there."""
    registration, queries = c.app(RegistrationApplication), c.query(RegistrationQueries)

    def categories(tenant_id: UUID, event_id: UUID) -> frozenset[str]:
        # The event itself, read-only: commands never read views. NotFound if not the tenant's.
        return frozenset(c.code for c in registration.event(tenant_id, event_id).categories)

    def listed(tenant_id: UUID, event_id: UUID) -> bool:
        return queries.event(tenant_id, event_id) is not None

    return ManagedEvents(categories=categories, listed=listed)


def _venue_routes(c: Container) -> list[Route]:
    access, queries, events = c.app(AccessApplication), c.query(VenueQueries), _managed_events(c)
    zones = "/v1/events/{event_id:uuid}/zones"
    zone = f"{zones}/{{zone_id:uuid}}"
    checkpoints = "/v1/events/{event_id:uuid}/checkpoints"
    checkpoint = f"{checkpoints}/{{checkpoint_id:uuid}}"
    return [
        (zones, ZonesResource(access, queries, events)),
        (zone, ZoneResource(access, queries, events)),
        (f"{zone}/capacity", ZoneCapacityResource(access, events)),
        (f"{zone}/rules", ZoneRulesResource(access, queries, events)),
        (checkpoints, CheckpointsResource(access, queries, events)),
        (checkpoint, CheckpointResource(access, queries, events)),
        (f"{checkpoint}/activate", CheckpointSwitchResource(access, events, activates=True)),
        (f"{checkpoint}/deactivate", CheckpointSwitchResource(access, events, activates=False)),
    ]


# Credentials: issued by a policy to approved participants, managed by staff.


def _credential_queries(access: ViewAccess) -> CredentialQueries:
    return CredentialQueries(access.reader)


def _credential_routes(c: Container) -> list[Route]:
    access, queries = c.app(AccessApplication), c.query(CredentialQueries)
    codes = UndeliveredCodes(c.service_engine, cipher(c.settings))
    credential = "/v1/participants/{participant_id:uuid}/credential"
    return [
        (credential, CredentialResource(queries)),
        (f"{credential}/code", BadgeCodeResource(access, codes)),
        (f"{credential}/reissue", CredentialReissueResource(access, codes)),
        (f"{credential}/suspend", CredentialChangeResource(access, "suspend")),
        (f"{credential}/resume", CredentialChangeResource(access, "resume")),
        (f"{credential}/revoke", CredentialChangeResource(access, "revoke")),
        (
            "/v1/events/{event_id:uuid}/credentials",
            EventCredentialsResource(queries, c.query(RegistrationQueries)),
        ),
    ]


# Scans: decided by one desk per store, in this process or in the scan decider worker.


def _scanner(c: Container) -> Scanner:
    """Who decides this process's scans, as the settings say."""
    access = c.app(AccessApplication)
    if c.settings.scans_by_worker:
        client = ScanClient(conninfo_of(c.service_engine))
        c.on_close(client.close)
        return client
    return ScanDesk(access, note_positions(c), DeskLock(c.service_engine))


def _scan_routes(c: Container) -> list[Route]:
    scanner = _scanner(c)
    scans = "/v1/events/{event_id:uuid}/scans"
    return [
        (scans, ScansResource(scanner)),
        (f"{scans}/batch", ScanBatchResource(scanner)),
        (f"{scans}/annul", ScanAnnulResource(scanner)),
        ("/v1/events/{event_id:uuid}/check-out", CheckOutResource(scanner)),
    ]


# Reports: the access log and occupancy, for analysts and organisers.


def _access_log_queries(access: ViewAccess) -> AccessLogQueries:
    return AccessLogQueries(access.reader)


def _occupancy_queries(access: ViewAccess) -> OccupancyQueries:
    return OccupancyQueries(access.reader)


def _report_routes(c: Container) -> list[Route]:
    access_log, occupancy = c.query(AccessLogQueries), c.query(OccupancyQueries)
    listed = _managed_events(c).listed
    event = "/v1/events/{event_id:uuid}"
    return [
        (f"{event}/access-log", AccessLogResource(access_log, listed)),
        (f"{event}/access-log/export", AccessLogExportResource(access_log, listed)),
        (f"{event}/occupancy", OccupancyResource(occupancy, listed)),
        (f"{event}/occupancy/buckets", OccupancyBucketsResource(occupancy, listed)),
        (f"{event}/zones/{{zone_id:uuid}}/inside", ZoneInsideResource(occupancy, listed)),
    ]


def _routes(c: Container) -> Sequence[Route]:
    return [*_venue_routes(c), *_credential_routes(c), *_scan_routes(c), *_report_routes(c)]


def _bulk_kinds(c: Container) -> Sequence[BulkKind]:
    codes = UndeliveredCodes(c.service_engine, cipher(c.settings))

    def keep(credential: Credential, code: str) -> None:
        # Shown once, like any re-issued code: the organiser takes it from the code route.
        codes.keep(credential.id, credential.tenant_id, credential.generation, code)

    return access_kinds(c.app(AccessApplication), keep)


ACCESS = Context(
    name="access",
    application=AccessApplication,
    projections=(
        ProjectionWiring(SqlVenuesView, VenuesProjector),
        ProjectionWiring(SqlCredentialsView, CredentialsProjector),
        ProjectionWiring(SqlAccessLogView, AccessLogProjector),
        ProjectionWiring(SqlOccupancyView, OccupancyProjector),
    ),
    queries=(_venue_queries, _credential_queries, _access_log_queries, _occupancy_queries),
    routes=_routes,
    workers={"credentials": run_credentials, "scans": run_scan_decider},
    workers_wanted={"scans": lambda settings: settings.scans_by_worker},
    bulk_kinds=_bulk_kinds,
)
