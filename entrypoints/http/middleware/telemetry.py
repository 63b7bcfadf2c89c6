"""Each request timed and counted by route template, and named on every line it logs."""

from __future__ import annotations

import re
import time
from functools import lru_cache, partial
from typing import Any

import falcon

from entrypoints.observability.access_log import FIELDS_KEY
from entrypoints.observability.log_context import bind, unbind
from entrypoints.observability.metrics import UNROUTED, ServiceMetrics


@lru_cache(maxsize=512)
def _without_converters(template: str) -> str:
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", template)


def route_of(req: falcon.Request) -> str | None:
    """The route template the request matched, as documented: `/v1/api-keys/{key_id}`."""
    template = req.uri_template
    return None if template is None else _without_converters(template)


def request_fields(req: falcon.Request) -> dict[str, object]:
    """The request's id, method, route template, tenant and key, as far as they are known."""
    context = req.context
    fields: dict[str, object] = {"method": req.method}
    request_id = getattr(context, "request_id", None)
    if request_id is not None:
        fields["request_id"] = request_id
    route = route_of(req)
    if route is not None:
        fields["route"] = route
    principal = getattr(context, "principal", None)
    if principal is not None:
        fields["tenant_id"] = str(principal.tenant_id)
        fields["key_id"] = str(principal.key_id)
    return fields


class TelemetryMiddleware:
    """First in, last out: it sees every request and the status it was finally answered."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.metrics = metrics

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()
        req.context.log_token = bind(partial(request_fields, req))

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        elapsed = time.perf_counter() - req.context.started
        route = route_of(req) or UNROUTED
        self.metrics.observe_request(req.method, route, resp.status_code, elapsed)
        fields: dict[str, Any] = request_fields(req)
        fields["route"] = route
        # The server writes the access line once the body is sent, after the app is done.
        req.env[FIELDS_KEY] = fields
        unbind(req.context.log_token)
