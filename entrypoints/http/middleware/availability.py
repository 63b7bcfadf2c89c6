"""While a database is known to be unreachable, requests are answered 503 at once."""

from __future__ import annotations

from typing import Any

import falcon

from adapters.sql.outage import OutageLatch
from entrypoints.http.operations import operation_of
from entrypoints.http.problems import OUTAGE_RETRY_SECONDS, Problem


class AvailabilityMiddleware:
    """Spares callers the drivers' timeouts once one request has met them (public routes,
    liveness and readiness among them, still answer)."""

    def __init__(self, outage: OutageLatch) -> None:
        self.outage = outage

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        operation = operation_of(resource, req.method)
        if operation is not None and operation.public:
            return
        if self.outage.tripped():
            raise Problem(
                "service-unavailable",
                "a database is not reachable just now; retry shortly",
                headers={"Retry-After": str(OUTAGE_RETRY_SECONDS)},
            )
