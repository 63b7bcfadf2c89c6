"""The access-control context: what opens which door, to whom, and what happened there."""

from __future__ import annotations

from domain.shared.application import AccreditApplication


class AccessApplication(AccreditApplication):
    name = "access"
    aggregates = ()
