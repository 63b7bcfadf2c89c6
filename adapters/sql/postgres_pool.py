"""The views' PostgreSQL connections: opened on demand, closed once they stay unused.

SQLAlchemy's own pool keeps every connection it ever opened, so a process that
was busy once holds them for good. psycopg's pool shrinks: each `idle_seconds`
in which some connection stayed unused, it closes one, down to none. SQLAlchemy
takes its connections from that pool (NullPool with the pool's `getconn` as its
creator; closing a connection gives it back), as psycopg's documentation describes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.errors import Diagnostic
from psycopg_pool import ConnectionPool

from adapters.settings import Settings
from adapters.sql.connection_names import connection_name

# A connection is replaced after this long, so none lives for ever (as pool_recycle did).
MAX_LIFETIME_SECONDS = 1800.0


class PooledConnection(psycopg.Connection[tuple[Any, ...]]):
    """A connection that SQLAlchemy takes many times, each time as if it were new."""

    def add_notice_handler(self, callback: Callable[[Diagnostic], None]) -> None:
        # SQLAlchemy adds its notice logger to every connection it is given: once is
        # enough, or a connection taken a million times would call it a million times.
        added: set[Callable[[Diagnostic], None]] = self.__dict__.setdefault("_added", set())
        if callback not in added:
            added.add(callback)
            super().add_notice_handler(callback)


VIEWS_CONNECT_TIMEOUT_SECONDS = 3.0


def views_pool(settings: Settings) -> ConnectionPool[PooledConnection]:
    """The pool of one process's connections to the projection and service tables."""
    assert settings.database_url is not None
    return ConnectionPool(
        settings.database_url,
        kwargs={"application_name": connection_name("views")},
        connection_class=PooledConnection,
        min_size=0,
        max_size=settings.views_connections,
        max_idle=settings.pool_idle_seconds,
        max_lifetime=MAX_LIFETIME_SECONDS,
        close_returns=True,
        # How long a thread waits for a connection: an unreachable database is then a
        # prompt 503 to retry rather than a request hanging for the default 30 s.
        timeout=VIEWS_CONNECT_TIMEOUT_SECONDS,
        # An attempt to connect that keeps failing gives up as soon as no request could
        # still be waiting for it; the next request starts a new one at once. The default
        # (retries backing off up to five minutes) would keep the service answering 503
        # for minutes after the database came back.
        reconnect_timeout=VIEWS_CONNECT_TIMEOUT_SECONDS,
        name="accredit-views",
        open=True,
    )
