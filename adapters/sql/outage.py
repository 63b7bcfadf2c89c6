"""Whether an error means a database cannot be reached now (not a bug in a query).

The event stores (through the eventsourcing library and psycopg's pool) and the
views (through SQLAlchemy) each say so in their own exceptions; callers answer
these with "unavailable, retry shortly" rather than with an internal error.
"""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg_pool
from eventsourcing import persistence
from sqlalchemy import exc

_UNREACHABLE: tuple[type[BaseException], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg_pool.PoolTimeout,
    exc.TimeoutError,  # no pooled connection came free in time
)


def is_outage(error: BaseException) -> bool:
    """True for a database that is down, unreachable, or too busy to answer in time."""
    if isinstance(error, _UNREACHABLE):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        original = error.orig
        if isinstance(original, psycopg.OperationalError | psycopg.InterfaceError):
            return True
        # SQLite: another process kept the write lock past the busy timeout.
        return isinstance(original, sqlite3.OperationalError) and "locked" in str(original)
    cause = error.__cause__
    return cause is not None and cause is not error and is_outage(cause)
