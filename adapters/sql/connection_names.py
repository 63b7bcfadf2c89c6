"""What this process calls its PostgreSQL connections, so pg_stat_activity says whose they are."""

from __future__ import annotations

import os

PREFIX = "accredit"


def connection_name(purpose: str) -> str:
    """The application_name of this process's connections for one purpose.

    `accredit:<pid>:<purpose>` (views, eventstores, view-changes, wakeup): an operator
    finds a process's connections, and what each is for, with one query.
    """
    # Read when called, never at import: gunicorn imports the app, then forks its workers.
    return f"{PREFIX}:{os.getpid()}:{purpose}"


def process_pattern(pid: int) -> str:
    """A LIKE pattern matching every connection of the process with that pid."""
    return f"{PREFIX}:{pid}:%"
