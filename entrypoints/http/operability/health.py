"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

import falcon
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from adapters.projection.failures import failures
from domain.platform.application import PlatformApplication
from entrypoints.http.operability import examples
from entrypoints.http.operability.schemas import HealthSchema
from entrypoints.http.problems import OUTAGE_RETRY_SECONDS, Problem
from entrypoints.http.responders import Operation


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


# Pooled connections that died while idle (the server restarted) are each found dead
# once; readiness is about now, so it tries past as many as a pool may hold.
_DEAD_CONNECTIONS_TRIED = 16


def _select_one(engine: Engine) -> None:
    """Asks the database for a row, on a new connection while pooled ones prove dead."""
    for _ in range(_DEAD_CONNECTIONS_TRIED):
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


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
        checks: dict[str, str] = {}
        step = "views"
        try:
            for step, engine in self.engines.items():
                _select_one(engine)
                checks[step] = "ok"
            step = "event_store"
            self.platform.recorder.max_notification_id()
            checks[step] = "ok"
            step = "projections"
            stopped = failures(self.engines["views"])
        except Exception as exc:
            checks[step] = type(exc).__name__
            raise Problem(
                "service-unavailable",
                f"the {step.replace('_', ' ')} did not answer ({type(exc).__name__})",
                headers={"Retry-After": str(OUTAGE_RETRY_SECONDS)},
                checks=checks,
            ) from None
        if stopped:
            checks["projections"] = "; ".join(
                f"{f.projection} stopped before {f.upstream}:{f.position}: {f.error}"
                for f in stopped
            )
            raise Problem(
                "service-unavailable",
                "a projection cannot apply a domain event; see /health/projections",
                headers={"Retry-After": str(OUTAGE_RETRY_SECONDS)},
                checks=checks,
            )
        checks["projections"] = "ok"
        resp.media = {"status": "ok", "checks": checks}
