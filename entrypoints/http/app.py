"""create_app: the Falcon application, from a container or from the environment."""

from __future__ import annotations

import atexit
from typing import Any

import falcon
from prometheus_client import CollectorRegistry

from adapters.projection.rebuilding import Rebuilds
from adapters.settings import Settings
from entrypoints.http.middleware.access import AuthMiddleware, AuthorizationMiddleware
from entrypoints.http.middleware.context import BodyMiddleware, CauseMiddleware, RequestIdMiddleware
from entrypoints.http.middleware.cors import CorsMiddleware
from entrypoints.http.middleware.idempotency import IdempotencyMiddleware
from entrypoints.http.middleware.limits import RateLimitMiddleware
from entrypoints.http.middleware.reads import ReadYourWritesMiddleware
from entrypoints.http.middleware.telemetry import TelemetryMiddleware
from entrypoints.http.openapi.document import build_spec
from entrypoints.http.openapi.reference import (
    DocsAssetResource,
    DocsResource,
    OpenApiResource,
    ProblemTypeResource,
)
from entrypoints.http.operability.metrics import MetricsResource
from entrypoints.http.problems import register_error_handlers, register_problem_types
from entrypoints.observability.metrics import Exposition, ServiceMetrics
from entrypoints.observability.projection_lag import ProjectionLag
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Route
from entrypoints.wiring.contexts import build


def api_routes(c: Container) -> list[Route]:
    """Every route of every context, with its resource, in wiring order."""
    routes = [route for context in c.contexts for route in context.routes(c)]
    paths = [path for path, _ in routes]
    if len(set(paths)) != len(paths):
        raise ValueError("two contexts declare the same route")
    return routes


# The app's own routes beside the contexts': documented like the API; their operations are
# class attributes, so classes suffice.
APP_ROUTES: list[tuple[str, object]] = [
    ("/v1/openapi.json", OpenApiResource),
    ("/docs", DocsResource),
    ("/docs/assets/{name}", DocsAssetResource),
    ("/problems/{slug}", ProblemTypeResource),
    ("/metrics", MetricsResource),
]


def _built_for_this_process() -> Container:
    # gunicorn builds the app in each worker; a worker that exits (SIGTERM, max
    # requests) closes its container, which writes the key usage still pending.
    built = build(Settings.from_env())
    atexit.register(built.close)
    return built


def create_app(container: Container | None = None) -> falcon.App[falcon.Request, falcon.Response]:
    """The WSGI app; gunicorn calls it with no argument and settings come from ACCREDIT_*."""
    c = container or _built_for_this_process()
    c.start_serving()
    # Which applications' positions each view can reach, from the one list of projections.
    upstreams = c.projection_upstreams()
    metrics = ServiceMetrics(CollectorRegistry())
    for application in c.applications.values():
        application.conflicts = metrics
    middleware: list[Any] = [
        TelemetryMiddleware(metrics),
        RequestIdMiddleware(),
        BodyMiddleware(),
        AuthMiddleware(c.platform, c.usage, c.auth_failures),
        CauseMiddleware(),
        RateLimitMiddleware(
            c.rate_limiter,
            c.settings.rate_limits,
            c.settings.rate_window_seconds,
            on_refused=metrics.refused_rate_limit,
        ),
        AuthorizationMiddleware(),
        ReadYourWritesMiddleware(
            c.positions,
            c.settings.read_wait_seconds,
            upstreams,
            c.applications,
            Rebuilds(c.reader, c.projection_versions()),
            c.key_positions,
        ),
        IdempotencyMiddleware(c.idempotency),
    ]
    if c.settings.cors_origins:
        # First, so that its answer headers go on every answer, refusals included.
        middleware.insert(0, CorsMiddleware(c.settings.cors_origins))
    for context in c.contexts:
        register_problem_types(context.problems.types, context.problems.errors)
    app = falcon.App(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    register_error_handlers(app)
    routes = api_routes(c)
    spec = build_spec([*routes, *APP_ROUTES], upstreams)
    routes += [
        ("/v1/openapi.json", OpenApiResource(spec)),
        ("/docs", DocsResource()),
        ("/docs/assets/{name}", DocsAssetResource()),
        ("/problems/{slug}", ProblemTypeResource()),
        ("/metrics", MetricsResource(Exposition(metrics, [ProjectionLag(c.projection_statuses)]))),
    ]
    for path, resource in routes:
        app.add_route(path, resource)
    return app
