"""Analysts read the projection tables, and only those, and only to read (PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

from adapters.analysts import grant_analyst
from adapters.rebuild import rebuild
from adapters.settings import Settings
from entrypoints.container import build
from tests.conftest import PG_ADMIN_URL


@pytest.fixture
def analyst() -> Iterator[str]:
    """A login role of the server, dropped afterwards."""
    role = f"analyst_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
    yield role
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def connect_as(role: str, url: str) -> psycopg.Connection[tuple[object, ...]]:
    parts = urlsplit(url)
    return psycopg.connect(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}").geturl())


def refused(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> bool:
    try:
        conn.execute(sql)
    except psycopg.errors.InsufficientPrivilege:
        conn.rollback()
        return True
    conn.rollback()
    return False


def test_an_analyst_reads_the_views_but_cannot_write_them_nor_read_service_tables(
    pg_settings: Settings, analyst: str
) -> None:
    with build(pg_settings) as container:
        container.platform.create_tenant("Acme")
        container.catch_up()
        grant_analyst(container.engine, analyst)
        url = pg_settings.database_url
        assert url is not None

        with connect_as(analyst, url) as conn:
            assert conn.execute("SELECT name FROM accredit_views.tenants").fetchall() == [("Acme",)]
            conn.execute("SELECT count(*) FROM accredit_views.api_keys").fetchone()
            conn.execute("SELECT count(*) FROM accredit_views.api_key_usage").fetchone()
            # How current the tables are is theirs to see too.
            assert conn.execute(
                "SELECT position FROM accredit_views.projection_tracking "
                "WHERE projection = 'platform'"
            ).fetchall() == [(1,)]
            conn.rollback()
            assert refused(conn, "UPDATE accredit_views.tenants SET name = 'x'")
            assert refused(conn, "DELETE FROM accredit_views.api_keys")
            assert refused(conn, "CREATE TABLE accredit_views.mine (a int)")
            assert refused(conn, "UPDATE accredit_views.projection_tracking SET position = 0")
            assert refused(conn, "SELECT * FROM public.rate_limit_counters")
            assert refused(conn, "SELECT * FROM public.idempotency_keys")
            assert refused(conn, "SELECT * FROM public.platform_events")

        # A rebuild swaps new tables in; they keep the old tables' readers.
        for projection in container.sql_projections():
            rebuild(projection)
        with connect_as(analyst, url) as conn:
            assert conn.execute("SELECT name FROM accredit_views.tenants").fetchall() == [("Acme",)]
            assert refused(conn, "DELETE FROM accredit_views.tenants")
