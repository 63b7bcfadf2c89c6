"""The wiring list: every bounded context of the service, each declared in its own module.

Adding a context means adding its packages (domain, projections, adapters,
entrypoints) and its declaration to this list; everything that enumerates
contexts (applications, projections, routes, commands, workers, problem types)
is derived from here.
"""

from __future__ import annotations

from adapters.settings import Settings
from entrypoints.wiring.access import ACCESS
from entrypoints.wiring.audit import AUDIT
from entrypoints.wiring.container import Container, assemble
from entrypoints.wiring.context import Context
from entrypoints.wiring.operability import OPERABILITY
from entrypoints.wiring.operations import OPERATIONS
from entrypoints.wiring.platform import PLATFORM
from entrypoints.wiring.registration import REGISTRATION
from entrypoints.wiring.screening import SCREENING
from entrypoints.wiring.waitlists import WAITLISTS

CONTEXTS: tuple[Context, ...] = (
    PLATFORM,
    REGISTRATION,
    ACCESS,
    SCREENING,
    WAITLISTS,
    OPERATIONS,
    AUDIT,
    OPERABILITY,
)


def build(settings: Settings) -> Container:
    """A container of every context, on these settings."""
    return assemble(settings, CONTEXTS)
