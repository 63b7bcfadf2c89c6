"""What operators run the service with: health and readiness, projections, analysts' access."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from entrypoints.cli.analysts import add_analyst_commands
from entrypoints.cli.projections import add_projection_commands
from entrypoints.http.operability.health import HealthResource, ReadinessResource
from entrypoints.http.operability.projections import ProjectionHealthResource
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Context, Route, Subcommands
from entrypoints.workers.projections import run_projections


def _routes(c: Container) -> Sequence[Route]:
    return [
        ("/health", HealthResource()),
        ("/health/projections", ProjectionHealthResource(c.projection_statuses)),
        ("/ready", ReadinessResource(c.engine, c.service_engine, c.platform)),
    ]


def _commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    add_projection_commands(sub)
    add_analyst_commands(sub)


OPERABILITY = Context(
    name="operability",
    routes=_routes,
    commands=_commands,
    workers={"projections": run_projections},
)
