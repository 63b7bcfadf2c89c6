"""Reads for queries: a connection per thread, one snapshot for several statements."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Row,
)
from sqlalchemy.exc import DBAPIError

from adapters.periodic import Periodic


@dataclass
class _Kept:
    """One thread's connection, and when it last finished a read."""

    conn: Connection | None = None
    used_at: float = 0.0
    # Held while the thread reads, so the connection is never given back mid-read.
    lock: threading.RLock = field(default_factory=threading.RLock)


class Reader:
    """Single-statement reads on a connection each thread keeps: no pool round trip,
    no BEGIN and no ROLLBACK per query, which is most of a small query's cost.

    With `idle_seconds`, a connection that its thread has not used for that long is
    given back to the pool (which closes it in turn), so a quiet process holds none;
    the thread takes a new one at its next read. SQLite keeps them: a file costs no
    server connection, and PRAGMA data_version answers per connection.
    """

    def __init__(self, engine: Engine, idle_seconds: float | None = None) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._local = threading.local()
        self._kept: list[_Kept] = []
        self._lock = threading.Lock()
        self.idle_seconds = None if self.is_sqlite else idle_seconds
        self._sweeper = (
            None
            if self.idle_seconds is None
            else Periodic("reader-idle-connections", self.idle_seconds / 2, self.give_back_idle)
        )

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
        kept: _Kept | None = getattr(self._local, "kept", None)
        if kept is None:
            kept = self._keep()
        with kept.lock:
            conn = kept.conn
            if conn is None or conn.closed or conn.invalidated:
                conn = kept.conn = self.engine.connect()
            try:
                yield conn
            except DBAPIError:
                # A broken connection (server restart) is replaced on the next read.
                kept.conn = None
                conn.close()
                raise
            finally:
                kept.used_at = time.monotonic()

    def _keep(self) -> _Kept:
        kept = self._local.kept = _Kept()
        with self._lock:
            self._kept.append(kept)
        if self._sweeper is not None:
            self._sweeper.start()
        return kept

    def give_back_idle(self) -> None:
        """Gives back every thread's connection that has not been used for idle_seconds."""
        if self.idle_seconds is None:
            return
        unused_since = time.monotonic() - self.idle_seconds
        with self._lock:
            kept_now = list(self._kept)
        for kept in kept_now:
            # A thread reading right now keeps its connection; it is looked at next time.
            if not kept.lock.acquire(blocking=False):
                continue
            try:
                if kept.conn is not None and kept.used_at <= unused_since:
                    kept.conn.close()
                    kept.conn = None
            finally:
                kept.lock.release()

    def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> list[Row[Any]]:
        """Runs one query and returns all its rows.

        Two failures are no error of the query, and it runs once more on a new
        connection: on PostgreSQL the driver prepares a statement it runs often, and
        when a rebuild has since put a table of another shape in place, the server
        refuses the old plan; and the connection this thread kept may have died while
        it was unused (the server restarted, the network dropped it).
        """
        try:
            with self.connect() as conn:
                return list(conn.execute(statement, params))
        except DBAPIError as exc:
            if not (_stale_plan(exc) or exc.connection_invalidated):
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
        if self._sweeper is not None:
            self._sweeper.stop()
        with self._lock:
            kept_now, self._kept = self._kept, []
        for kept in kept_now:
            with kept.lock:
                if kept.conn is not None:
                    kept.conn.close()
                    kept.conn = None


def _stale_plan(error: DBAPIError) -> bool:
    # SQLSTATE 0A000 "cached plan must not change result type".
    return getattr(error.orig, "sqlstate", None) == "0A000" and "cached plan" in str(error.orig)
