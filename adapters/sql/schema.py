"""The tables' metadata and schemas: the views' schema apart from the service's own tables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import (
    Engine,
    MetaData,
    Table,
    text,
)

# Projection tables live in their own PostgreSQL schema, so analysts can be given
# read access to them alone; tables of the service itself stay in `public`.
VIEWS_SCHEMA = "accredit_views"


metadata = MetaData()


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
