"""Where a projection is built apart from its live tables, and how it replaces them.

A build area holds a copy of a projection's tables and its own tracking rows, so a
build commits its view changes and positions together (and a killed build resumes).
On PostgreSQL it is a schema of the same database, whose tables are moved into the
views' schema at the swap; on SQLite it is a file next to the live one, attached to
the swapping connection and copied in. Either way the swap is one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, Select, Table, inspect, select, text
from sqlalchemy.exc import ProgrammingError

from adapters.projection import dependent_views
from adapters.projection.file_lock import file_lock
from adapters.projection.tracking import Tracked, projection_tracking
from adapters.sql.engines import sqlite_engine
from adapters.sql.schema import VIEWS_SCHEMA, create_schemas
from adapters.sql.transactions import write_transaction

SQLITE_ALIAS = "build"


class BuildArea(Protocol):
    """Scratch tables for one projection."""

    engine: Engine
    # How statements on a swapping connection name the area's tables.
    seen_from_live: dict[str | None, str | None]

    def lock(self) -> AbstractContextManager[None]:
        """Keeps other processes out of this area while held."""

    def holds_tracking(self) -> bool:
        """Whether the area exists with its tracking table (a build can resume)."""

    def tracked(self, projection: str) -> dict[str, Tracked] | None:
        """How far the build in the area has got, by upstream; None if there is no build.

        It creates nothing: operators and queries ask it while a build comes and goes.
        """

    def create(self, tables: Sequence[Table]) -> None:
        """Makes the area afresh, with empty tables."""

    def swap_transaction(self, live: Engine) -> AbstractContextManager[Connection]:
        """A write transaction on the live database that sees the area."""

    def replace_live_tables(self, conn: Connection, tables: Sequence[Table]) -> None:
        """Within the swap: the live tables become the area's."""

    def drop(self) -> None:
        """Removes the area and everything in it."""


def build_area(live: Engine, name: str) -> BuildArea:
    """A build area named `name` next to the live tables of this engine."""
    if live.dialect.name == "postgresql":
        return PostgresBuildArea(live, name)
    return SqliteBuildArea(live, name)


class PostgresBuildArea:
    def __init__(self, live: Engine, name: str) -> None:
        self.live = live
        self.schema = f"accredit_{name}"
        self.seen_from_live: dict[str | None, str | None] = {
            None: self.schema,
            VIEWS_SCHEMA: self.schema,
        }
        self.engine: Engine = live.execution_options(schema_translate_map=self.seen_from_live)

    @contextmanager
    def lock(self) -> Iterator[None]:
        with self.live.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(hashtext(:n))"), {"n": self.schema})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": self.schema})
                conn.commit()

    def holds_tracking(self) -> bool:
        with self.live.connect() as conn:
            return inspect(conn).has_table(projection_tracking.name, schema=self.schema)

    def tracked(self, projection: str) -> dict[str, Tracked] | None:
        # Asking first keeps the server's log free of an error per status request.
        if not self.holds_tracking():
            return None
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(_tracked_query(projection)).all()
        except ProgrammingError:  # the build was swapped in and dropped meanwhile
            return None
        return {r.upstream: Tracked(int(r.position), int(r.version)) for r in rows}

    def create(self, tables: Sequence[Table]) -> None:
        self.drop()
        every = [projection_tracking, *tables]
        create_schemas(self.engine, every)
        with self.engine.begin() as conn:
            for table in every:
                table.create(conn)

    def swap_transaction(self, live: Engine) -> AbstractContextManager[Connection]:
        return write_transaction(live)

    def replace_live_tables(self, conn: Connection, tables: Sequence[Table]) -> None:
        live = [(conn.schema_for_object(t) or "public", t.name) for t in tables]
        views = dependent_views.views_resting_on_any(conn, live)
        dependent_views.drop(conn, views)
        for table in tables:
            live_schema = conn.schema_for_object(table)
            readers = _select_grantees(conn, live_schema, table.name)
            conn.execute(text(f'DROP TABLE IF EXISTS "{live_schema}"."{table.name}"'))
            conn.execute(
                text(f'ALTER TABLE "{self.schema}"."{table.name}" SET SCHEMA "{live_schema}"')
            )
            # Grants belong to the old table: whoever could read it can read the new one.
            for grantee in readers:
                conn.execute(text(f'GRANT SELECT ON "{live_schema}"."{table.name}" TO {grantee}'))
        dependent_views.recreate(conn, views)
        conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))

    def drop(self) -> None:
        with self.live.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))


def _tracked_query(projection: str) -> Select[tuple[str, int, int]]:
    t = projection_tracking
    return select(t.c.upstream, t.c.position, t.c.version).where(t.c.projection == projection)


def _select_grantees(conn: Connection, schema: str | None, table: str) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
            "ELSE quote_ident(pg_get_userbyid(a.grantee)) END "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
            "aclexplode(c.relacl) a "
            "WHERE n.nspname = :schema AND c.relname = :table "
            "AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner"
        ),
        {"schema": schema, "table": table},
    )
    return [r[0] for r in rows]


class SqliteBuildArea:
    def __init__(self, live: Engine, name: str) -> None:
        database = live.url.database
        if not database:
            raise ValueError("a SQLite build area needs a file-backed live database")
        live_path = Path(database)
        self.path = live_path.with_name(f"{live_path.stem}.{name}.sqlite")
        self.seen_from_live: dict[str | None, str | None] = {
            None: SQLITE_ALIAS,
            VIEWS_SCHEMA: SQLITE_ALIAS,
        }
        self.engine = sqlite_engine(self.path)

    def lock(self) -> AbstractContextManager[None]:
        return file_lock(self.path.with_suffix(".lock"))

    def holds_tracking(self) -> bool:
        if not self.path.exists():
            return False
        with self.engine.connect() as conn:
            return inspect(conn).has_table(projection_tracking.name)

    def tracked(self, projection: str) -> dict[str, Tracked] | None:
        # mode=rw opens the file only if it exists: a build that is gone is not recreated.
        try:
            with closing(
                sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=rw", uri=True)
            ) as db:
                rows = db.execute(
                    # The table's name is our own constant, never input.
                    "SELECT upstream, position, version "  # noqa: S608
                    f"FROM {projection_tracking.name} WHERE projection = ?",
                    (projection,),
                ).fetchall()
        except sqlite3.OperationalError:  # no file, or no tracking table in it yet
            return None
        return {upstream: Tracked(int(p), int(v)) for upstream, p, v in rows}

    def create(self, tables: Sequence[Table]) -> None:
        self.drop()
        with self.engine.begin() as conn:
            for table in (projection_tracking, *tables):
                table.create(conn)

    @contextmanager
    def swap_transaction(self, live: Engine) -> Iterator[Connection]:
        # ATTACH cannot run inside a transaction: this connection runs its own.
        with live.connect() as plain:
            conn = plain.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f"ATTACH DATABASE ? AS {SQLITE_ALIAS}", (str(self.path),))
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.exec_driver_sql("ROLLBACK")
                    raise
                conn.exec_driver_sql("COMMIT")
            finally:
                conn.exec_driver_sql(f"DETACH DATABASE {SQLITE_ALIAS}")

    def replace_live_tables(self, conn: Connection, tables: Sequence[Table]) -> None:
        for table in tables:
            # The new version's table may differ in shape: recreate it, then copy.
            table.drop(conn, checkfirst=True)
            table.create(conn)
            # Names come from our own table definitions, never from input.
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            conn.exec_driver_sql(
                f'INSERT INTO main."{table.name}" ({columns}) '  # noqa: S608
                f'SELECT {columns} FROM {SQLITE_ALIAS}."{table.name}"'
            )

    def drop(self) -> None:
        self.engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
