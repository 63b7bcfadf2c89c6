"""The access-control context wired: zones, checkpoints, credentials and scans."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.access.credential_queries import CredentialQueries
from adapters.access.credential_view import SqlCredentialsView
from adapters.access.undelivered_codes import UndeliveredCodes
from adapters.registration.queries import RegistrationQueries
from adapters.sql.eventstore import cipher
from domain.access.application import AccessApplication
from entrypoints.http.access.credentials import (
    BadgeCodeResource,
    CredentialChangeResource,
    CredentialReissueResource,
    CredentialResource,
    EventCredentialsResource,
)
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProjectionWiring, Route, ViewAccess
from entrypoints.workers.credentials import run_credentials
from projections.access.credentials import CredentialsProjector

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


def _routes(c: Container) -> Sequence[Route]:
    return [*_credential_routes(c)]


ACCESS = Context(
    name="access",
    application=AccessApplication,
    projections=(ProjectionWiring(SqlCredentialsView, CredentialsProjector),),
    queries=(_credential_queries,),
    routes=_routes,
    workers={"credentials": run_credentials},
)
