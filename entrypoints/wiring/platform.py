"""The platform context wired: tenants and API keys, their view, routes and commands."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.platform.queries import PlatformQueries
from adapters.platform.view import SqlPlatformView
from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.platform.application import PlatformApplication
from entrypoints.cli.platform import add_platform_commands
from entrypoints.http.platform.api_keys import (
    ApiKeyResource,
    ApiKeyRevocationResource,
    ApiKeyRotationResource,
    ApiKeysResource,
)
from entrypoints.http.platform.tenant import TenantResource
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, ProjectionWiring, Route, ViewAccess
from projections.platform.projector import PlatformProjector


def _application(settings: Settings) -> PlatformApplication:
    return PlatformApplication(
        eventstore_env(settings, PlatformApplication.name),
        auth_cache_seconds=settings.auth_cache_seconds,
    )


def _queries(access: ViewAccess) -> PlatformQueries:
    return PlatformQueries(access.reader, access.changes)


def _routes(c: Container) -> Sequence[Route]:
    platform, queries = c.platform, c.query(PlatformQueries)
    return [
        ("/v1/tenant", TenantResource(platform, queries)),
        ("/v1/api-keys", ApiKeysResource(platform, queries, c.usage)),
        ("/v1/api-keys/{key_id:uuid}", ApiKeyResource(queries, c.usage)),
        ("/v1/api-keys/{key_id:uuid}/rotate", ApiKeyRotationResource(platform)),
        ("/v1/api-keys/{key_id:uuid}/revoke", ApiKeyRevocationResource(platform)),
    ]


PLATFORM = Context(
    name="platform",
    application=PlatformApplication,
    make_application=_application,
    projections=(ProjectionWiring(SqlPlatformView, PlatformProjector),),
    queries=(_queries,),
    routes=_routes,
    commands=add_platform_commands,
)
