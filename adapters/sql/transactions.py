"""Write transactions and inserts that know ON CONFLICT, on either backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    Connection,
    Engine,
    Table,
)
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sql.engines import IMMEDIATE


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
