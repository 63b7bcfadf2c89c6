"""The screening context's application: what reviewers and the screening policy decide."""

from __future__ import annotations

from domain.shared.application import AccreditApplication


class ScreeningApplication(AccreditApplication):
    """One event store for the context's decisions (reviews of pairs, blacklist entries)."""

    name = "screening"
