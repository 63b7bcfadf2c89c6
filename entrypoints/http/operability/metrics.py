"""GET /metrics: the service's metrics in the Prometheus text format."""

from __future__ import annotations

import falcon

from entrypoints.http.responders import Operation
from entrypoints.observability.metrics import Exposition


class MetricsResource:
    operations = {
        "GET": Operation(
            "Metrics in the Prometheus text format, summed over every process of the server",
            operation_id="getMetrics",
            public=True,
            media_type="text/plain",
            tags=("ops",),
            description=(
                "Requests by method, route template and status with their latency, "
                "commands retried and refused on concurrent writes, rate-limit refusals, "
                "projection lag per projection and upstream, and restarted processes."
            ),
        )
    }

    def __init__(self, exposition: Exposition) -> None:
        self.exposition = exposition

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.data = self.exposition.render()
        resp.content_type = self.exposition.content_type
