"""Reads for queries: a connection per thread, one snapshot for several statements."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Row,
)
from sqlalchemy.exc import DBAPIError


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
