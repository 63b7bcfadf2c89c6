"""create_app: the Falcon application, from a container or from the environment."""

from __future__ import annotations

from typing import Any

import falcon

from adapters.settings import Settings
from entrypoints.container import Container, build
from entrypoints.http.middleware.access import AuthMiddleware, AuthorizationMiddleware
from entrypoints.http.middleware.context import BodyMiddleware, CauseMiddleware, RequestIdMiddleware
from entrypoints.http.middleware.idempotency import IdempotencyMiddleware
from entrypoints.http.middleware.limits import RateLimitMiddleware
from entrypoints.http.middleware.reads import ReadYourWritesMiddleware
from entrypoints.http.openapi import DocsResource, OpenApiResource, ProblemTypeResource, build_spec
from entrypoints.http.problems import register_error_handlers
from entrypoints.http.resources.api_keys import (
    ApiKeyResource,
    ApiKeyRevocationResource,
    ApiKeyRotationResource,
    ApiKeysResource,
)
from entrypoints.http.resources.audit import (
    AggregateEventsResource,
    AggregateStateResource,
    AuditEventsResource,
    AuditExportResource,
)
from entrypoints.http.resources.events import (
    EventResource,
    EventsResource,
    RegistrationSwitchResource,
    WorkflowResource,
)
from entrypoints.http.resources.health import HealthResource, ReadinessResource
from entrypoints.http.resources.participant_progress import (
    RegistrationEndResource,
    StepCompletionResource,
    WorkQueueResource,
)
from entrypoints.http.resources.participants import (
    EventCountsResource,
    EventParticipantsResource,
    ParticipantResource,
)
from entrypoints.http.resources.projection_health import ProjectionHealthResource
from entrypoints.http.resources.tenant import TenantResource


def api_routes(c: Container) -> list[tuple[str, object]]:
    """Every route of the API itself and its resource."""
    auditor = c.auditor()
    registration, queries = c.registration, c.registration_queries
    return [
        ("/v1/tenant", TenantResource(c.platform, c.platform_queries)),
        ("/v1/api-keys", ApiKeysResource(c.platform, c.platform_queries, c.usage)),
        ("/v1/api-keys/{key_id:uuid}", ApiKeyResource(c.platform_queries, c.usage)),
        ("/v1/api-keys/{key_id:uuid}/rotate", ApiKeyRotationResource(c.platform)),
        ("/v1/api-keys/{key_id:uuid}/revoke", ApiKeyRevocationResource(c.platform)),
        ("/v1/events", EventsResource(registration, queries)),
        ("/v1/events/{event_id:uuid}", EventResource(registration, queries)),
        (
            "/v1/events/{event_id:uuid}/open-registration",
            RegistrationSwitchResource(registration, opens=True),
        ),
        (
            "/v1/events/{event_id:uuid}/close-registration",
            RegistrationSwitchResource(registration, opens=False),
        ),
        ("/v1/events/{event_id:uuid}/workflow", WorkflowResource(registration, queries)),
        ("/v1/events/{event_id:uuid}/counts", EventCountsResource(queries)),
        (
            "/v1/events/{event_id:uuid}/participants",
            EventParticipantsResource(registration, queries),
        ),
        ("/v1/events/{event_id:uuid}/steps/{step_id}/queue", WorkQueueResource(queries)),
        ("/v1/participants/{participant_id:uuid}", ParticipantResource(registration, queries)),
        (
            "/v1/participants/{participant_id:uuid}/steps/{step_id}/complete",
            StepCompletionResource(registration),
        ),
        (
            "/v1/participants/{participant_id:uuid}/withdraw",
            RegistrationEndResource(registration, by_organiser=False),
        ),
        (
            "/v1/participants/{participant_id:uuid}/cancel",
            RegistrationEndResource(registration, by_organiser=True),
        ),
        ("/v1/audit/events", AuditEventsResource(auditor)),
        ("/v1/audit/aggregates/{aggregate_id:uuid}/events", AggregateEventsResource(auditor)),
        ("/v1/audit/aggregates/{aggregate_id:uuid}/state", AggregateStateResource(auditor)),
        ("/v1/audit/export", AuditExportResource(auditor)),
        ("/health", HealthResource()),
        ("/health/projections", ProjectionHealthResource(c.projection_statuses)),
        ("/ready", ReadinessResource(c.engine, c.service_engine, c.platform)),
    ]


# Documented like the API; their operations are class attributes, so classes suffice.
DOCUMENTATION_ROUTES: list[tuple[str, object]] = [
    ("/v1/openapi.json", OpenApiResource),
    ("/docs", DocsResource),
    ("/problems/{slug}", ProblemTypeResource),
]


def create_app(container: Container | None = None) -> falcon.App[falcon.Request, falcon.Response]:
    """The WSGI app; gunicorn calls it with no argument and settings come from ACCREDIT_*."""
    c = container or build(Settings.from_env())
    c.follow_view_changes()
    # Which applications' positions each view can reach, from the one list of projections.
    upstreams = c.projection_upstreams()
    middleware: list[Any] = [
        RequestIdMiddleware(),
        BodyMiddleware(),
        AuthMiddleware(c.platform, c.usage),
        CauseMiddleware(),
        RateLimitMiddleware(c.rate_limiter, c.settings.rate_limits, c.settings.rate_window_seconds),
        AuthorizationMiddleware(),
        ReadYourWritesMiddleware(
            c.positions, c.settings.read_wait_seconds, upstreams, c.applications
        ),
        IdempotencyMiddleware(c.idempotency),
    ]
    app = falcon.App(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    register_error_handlers(app)
    routes = api_routes(c)
    spec = build_spec([*routes, *DOCUMENTATION_ROUTES], upstreams)
    routes += [
        ("/v1/openapi.json", OpenApiResource(spec)),
        ("/docs", DocsResource(spec)),
        ("/problems/{slug}", ProblemTypeResource()),
    ]
    for path, resource in routes:
        app.add_route(path, resource)
    return app
