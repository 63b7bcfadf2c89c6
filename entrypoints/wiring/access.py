"""The access-control context wired: zones, checkpoints, credentials and scans."""

from __future__ import annotations

from domain.access.application import AccessApplication
from entrypoints.wiring.context import Context

ACCESS = Context(
    name="access",
    application=AccessApplication,
)
