"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

import falcon
from sqlalchemy import Engine, text

from domain.platform.application import PlatformApplication
from entrypoints.http.operability import examples
from entrypoints.http.operability.schemas import HealthSchema
from entrypoints.http.operations import Operation
from entrypoints.http.problems import OUTAGE_RETRY_SECONDS, Problem


class HealthResource:
    operations = {
        "GET": Operation(
            "Liveness: the process answers",
            public=True,
            response=HealthSchema,
            tags=("ops",),
            response_example=examples.HEALTH,
            operation_id="getHealth",
        )
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok", "checks": {}}


class ReadinessResource:
    operations = {
        "GET": Operation(
            "Readiness: the event store, the view tables and the service tables answer",
            public=True,
            response=HealthSchema,
            errors=(503,),
            tags=("ops",),
            response_example=examples.READY,
            operation_id="getReadiness",
        )
    }

    def __init__(
        self,
        engine: Engine,
        service_engine: Engine,
        platform: PlatformApplication,
    ) -> None:
        self.engines = {"views": engine, "service": service_engine}
        self.platform = platform

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks = {}
        try:
            for name, engine in self.engines.items():
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                checks[name] = "ok"
            self.platform.recorder.max_notification_id()
            checks["event_store"] = "ok"
        except Exception as exc:
            raise Problem(
                "service-unavailable",
                f"{type(exc).__name__}",
                headers={"Retry-After": str(OUTAGE_RETRY_SECONDS)},
                checks=checks,
            ) from None
        resp.media = {"status": "ok", "checks": checks}
