"""SQLAlchemy engines: one SQLite file each (WAL, immediate writes), or PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import (
    Engine,
    create_engine,
    event,
)
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from adapters.settings import Settings
from adapters.sql.postgres_pool import views_pool
from adapters.sql.schema import VIEWS_SCHEMA

SQLITE_FILE = "accredit.sqlite"


# The service's own tables (rate limits, idempotency records) get a file of their
# own on SQLite, so a projection swap holding the views' write lock never delays them.
SERVICE_SQLITE_FILE = "service.sqlite"


IMMEDIATE = "accredit_immediate"


def sqlalchemy_url(settings: Settings) -> str:
    if settings.database_url is None:
        return f"sqlite:///{settings.data_dir / SQLITE_FILE}"
    parts = urlsplit(settings.database_url)
    return parts._replace(scheme="postgresql+psycopg").geturl()


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # WAL lets gunicorn workers read while one writes; busy_timeout queues writers.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the lock at BEGIN so read-then-write transactions never deadlock;
    # readers stay deferred so they never queue behind writers.
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    if options.get(IMMEDIATE, False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def sqlite_engine(path: Path) -> Engine:
    """An engine on one SQLite file: WAL, immediate write transactions, views in `main`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 10}
    )
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_conn: sqlite3.Connection, _rec: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None

    event.listen(engine, "begin", _sqlite_begin)
    # SQLite has no schemas: the views' schema is the file's own.
    return engine.execution_options(schema_translate_map={VIEWS_SCHEMA: None})


def make_service_engine(settings: Settings, views: Engine) -> Engine:
    """The engine for the service's own tables: a file of its own on SQLite."""
    if settings.database_url is None:
        return sqlite_engine(settings.data_dir / SERVICE_SQLITE_FILE)
    return views


def make_engine(settings: Settings) -> Engine:
    """The engine of the projection tables; SQLite gets WAL and immediate writes."""
    if settings.database_url is None:
        return sqlite_engine(settings.data_dir / SQLITE_FILE)
    # The connections come from a pool that closes those left unused (postgres_pool),
    # so an idle process holds none. No pre-ping: it costs a round trip per checkout.
    pool = views_pool(settings)
    engine = create_engine(sqlalchemy_url(settings), poolclass=NullPool, creator=pool.getconn)

    @event.listens_for(engine, "engine_disposed")
    def _close_pool(_engine: Engine) -> None:
        pool.close()

    return engine
