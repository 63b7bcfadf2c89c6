"""SQLAlchemy engines for the service tables (views, rate limits, idempotency, usage)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    MetaData,
    Row,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry

from adapters.settings import Settings

SQLITE_FILE = "accredit.sqlite"
# The service's own tables (rate limits, idempotency records) get a file of their
# own on SQLite, so a projection swap holding the views' write lock never delays them.
SERVICE_SQLITE_FILE = "service.sqlite"
IMMEDIATE = "accredit_immediate"
# Projection tables live in their own PostgreSQL schema, so analysts can be given
# read access to them alone; tables of the service itself stay in `public`.
VIEWS_SCHEMA = "accredit_views"


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
    url = sqlalchemy_url(settings)
    # No pre-ping: it costs a round trip per checkout on the hot path; recycling
    # bounds how old a pooled connection gets.
    return create_engine(url, pool_size=10, max_overflow=10, pool_recycle=1800)


def eventstore_env(settings: Settings, application_name: str) -> dict[str, str]:
    """The eventsourcing library's settings for one application's event store."""
    env = {"AGGREGATE_CACHE_MAXSIZE": "10000"}
    if settings.cipher_key is not None:
        # Payloads are compressed, then encrypted (AES-GCM) before they are stored.
        env.update(
            CIPHER_TOPIC="eventsourcing.cryptography:AESCipher",
            CIPHER_KEY=settings.cipher_key,
            COMPRESSOR_TOPIC="eventsourcing.compressor:ZlibCompressor",
        )
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = settings.data_dir / f"{application_name}.events.sqlite"
        env.update(
            PERSISTENCE_MODULE="eventsourcing.sqlite",
            SQLITE_DBNAME=str(path),
            SQLITE_LOCK_TIMEOUT="10",
        )
        return env
    parts = urlsplit(settings.database_url)
    env.update(
        PERSISTENCE_MODULE="eventsourcing.postgres",
        POSTGRES_DBNAME=unquote(parts.path.lstrip("/")) or "postgres",
        POSTGRES_HOST=parts.hostname or "127.0.0.1",
        POSTGRES_PORT=str(parts.port or 5432),
        POSTGRES_USER=unquote(parts.username or "postgres"),
        POSTGRES_PASSWORD=unquote(parts.password or ""),
        POSTGRES_POOL_SIZE="5",
        POSTGRES_MAX_OVERFLOW="10",
    )
    return env


metadata = MetaData()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: on SQLite it holds the write lock from the start."""
    with engine.connect() as plain:
        conn = plain.execution_options(**{IMMEDIATE: True})
        with conn.begin():
            yield conn


def dialect_insert(engine: Engine, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that knows ON CONFLICT, in the engine's own dialect."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class Reader:
    """Single-statement reads on a connection each thread keeps: no pool round trip,
    no BEGIN and no ROLLBACK per query, which is most of a small query's cost.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._local = threading.local()
        self._opened: list[Connection] = []
        self._lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def data_version(self) -> int:
        """SQLite: changes whenever another connection commits to this thread's file."""
        with self.connect() as conn:
            raw = conn.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            row = raw.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    @classmethod
    def of(cls, source: Engine | Reader) -> Reader:
        return source if isinstance(source, Reader) else cls(source)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._local.conn = self.engine.connect()
            with self._lock:
                self._opened = [c for c in self._opened if not c.closed]
                self._opened.append(conn)
        try:
            yield conn
        except DBAPIError:
            # A broken connection (server restart) is replaced on the next read.
            self._local.conn = None
            conn.close()
            raise

    def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> list[Row[Any]]:
        """Runs one query and returns all its rows.

        On PostgreSQL the driver prepares a statement it runs often; when a rebuild
        has since put a table of another shape in place, the server refuses the old
        plan. That is no error of the query: it runs once more on a new connection.
        """
        try:
            with self.connect() as conn:
                return list(conn.execute(statement, params))
        except DBAPIError as exc:
            if not _stale_plan(exc):
                raise
        with self.connect() as conn:
            return list(conn.execute(statement, params))

    def snapshot(self, *statements: Executable) -> list[list[Row[Any]]]:
        """Runs queries in one read transaction, so they see the same committed state.

        One answer built from several tables (a participant with its steps) must not
        mix two projection batches; each statement alone could.
        """
        isolation = "SERIALIZABLE" if self.is_sqlite else "REPEATABLE READ"
        with self.engine.connect() as plain:
            conn = plain.execution_options(isolation_level=isolation)
            with conn.begin():
                return [list(conn.execute(statement)) for statement in statements]

    def close(self) -> None:
        """Closes every thread's connection (at shutdown)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()


def _stale_plan(error: DBAPIError) -> bool:
    # SQLSTATE 0A000 "cached plan must not change result type".
    return getattr(error.orig, "sqlstate", None) == "0A000" and "cached plan" in str(error.orig)


STARTUP_LOCK_KEY = 0x61636372  # "accr": one advisory lock for schema set-up


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Serialises schema set-up across processes (PostgreSQL advisory lock; SQLite needs none)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
            conn.commit()


def view_tables() -> list[Table]:
    """Projection tables and what sits with them (tracking, key usage)."""
    return [t for t in metadata.tables.values() if t.schema == VIEWS_SCHEMA]


def service_tables() -> list[Table]:
    """The service's own tables (rate limits, idempotency records)."""
    return [t for t in metadata.tables.values() if t.schema != VIEWS_SCHEMA]


def create_tables(engine: Engine, tables: Iterable[Table] | None = None) -> None:
    """Creates the tables (all by default) that do not exist yet (safe to run concurrently)."""
    chosen = list(metadata.tables.values() if tables is None else tables)
    create_schemas(engine, chosen)
    metadata.create_all(engine, tables=chosen, checkfirst=True)


def create_schemas(engine: Engine, tables: Iterable[Table]) -> None:
    """Creates the PostgreSQL schemas of these tables, as the engine maps schema names."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for schema in sorted({s for t in tables if (s := conn.schema_for_object(t))}):
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
