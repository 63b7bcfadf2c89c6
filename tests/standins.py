"""Stand-ins for the contexts still to come, wired beside today's ones.

The service is to have eight applications (DESIGN.md); not all exist yet. Each
stand-in is a real AccreditApplication with an event table of its own and one
command over HTTP, so that what a process costs with every context wired (its
connections, above all) is measured on real traffic rather than extrapolated:
tests/integration/test_connection_budget.py and scripts/connection_budget.py.
"""

from __future__ import annotations

import atexit
from collections.abc import Sequence
from uuid import UUID

import falcon
from eventsourcing.domain import Aggregate
from eventsourcing.utils import EnvType

from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.platform.permissions import Permission
from domain.shared.application import AccreditApplication, Ack
from entrypoints.http.app import create_app as http_app
from entrypoints.http.requests import answer_command
from entrypoints.http.responders import Operation
from entrypoints.wiring.container import Container, assemble
from entrypoints.wiring.context import Context, Route
from entrypoints.wiring.contexts import CONTEXTS

# The contexts DESIGN.md names that are not wired yet; each one that joins CONTEXTS
# drops out of this list by itself, so the process still counts eight applications.
TO_COME = ("screening", "waitlists", "operations", "webhooks", "communications")
STAND_INS = tuple(name for name in TO_COME if name not in {c.name for c in CONTEXTS})


class Mark(Aggregate):
    """What a stand-in's command records: one domain event in the stand-in's own log."""

    def __init__(self, tenant_id: UUID) -> None:
        self.tenant_id = tenant_id


class StandInApplication(AccreditApplication):
    """An application named after a context to come, with its own event table."""

    def __init__(self, name: str, env: EnvType | None = None) -> None:
        self.name = name  # before the library names the table after it
        super().__init__(env)

    def mark(self, tenant_id: UUID) -> Ack[Mark]:
        """Records one domain event for the tenant."""
        return self.ack(Mark(tenant_id))


class MarksResource:
    def __init__(self, application: StandInApplication) -> None:
        self.application = application
        # One resource per stand-in, each its own operation in the document.
        self.operations = {
            "POST": Operation(
                "Record a mark in a stand-in context",
                Permission.TENANT_MANAGE,
                status=201,
                tags=("stand-ins",),
                operation_id=f"record{application.name.capitalize()}Mark",
            )
        }

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ack = self.application.mark(req.context.principal.tenant_id)
        answer_command(resp, ack)
        resp.status = falcon.HTTP_201
        resp.media = {"id": str(ack.aggregate_id)}


def marks_path(name: str) -> str:
    return f"/v1/stand-ins/{name}/marks"


def stand_in(name: str) -> Context:
    """The entry a context to come would have in the wiring list, reduced to one command."""

    def application(settings: Settings) -> StandInApplication:
        return StandInApplication(name, eventstore_env(settings, name))

    def routes(c: Container) -> Sequence[Route]:
        found = c.applications[name]
        assert isinstance(found, StandInApplication)
        return [(marks_path(name), MarksResource(found))]

    return Context(
        name=name, application=StandInApplication, make_application=application, routes=routes
    )


EVERY_CONTEXT: tuple[Context, ...] = (*CONTEXTS, *(stand_in(name) for name in STAND_INS))


def create_app() -> falcon.App[falcon.Request, falcon.Response]:
    """The HTTP app with every context wired, for gunicorn: `tests.standins:create_app()`."""
    container = assemble(Settings.from_env(), EVERY_CONTEXT)
    atexit.register(container.close)
    return http_app(container)
