"""Analysts read the projection tables, and only those, and only to read (PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

from adapters.analysts.grants import grant_analyst
from adapters.projection.dependent_views import DependentViewBroken
from adapters.projection.rebuild import rebuild
from adapters.settings import Settings
from entrypoints.wiring.contexts import build
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


def test_analysts_views_on_projection_tables_survive_a_rebuild(
    pg_settings: Settings, analyst: str
) -> None:
    with build(pg_settings) as container:
        container.platform.create_tenant("Acme")
        container.catch_up()
        grant_analyst(container.engine, analyst)
        url = pg_settings.database_url
        assert url is not None
        with psycopg.connect(url, autocommit=True) as owner:
            owner.execute("CREATE SCHEMA reports")
            owner.execute(
                "CREATE VIEW reports.tenant_names AS SELECT name FROM accredit_views.tenants"
            )
            owner.execute("COMMENT ON VIEW reports.tenant_names IS 'Names, for the board'")
            owner.execute(
                "CREATE VIEW reports.tenant_count AS SELECT count(*) AS n FROM reports.tenant_names"
            )
            owner.execute(
                "CREATE MATERIALIZED VIEW reports.keys_per_tenant AS "
                "SELECT t.name, count(k.key_id) AS keys FROM accredit_views.tenants t "
                "LEFT JOIN accredit_views.api_keys k USING (tenant_id) GROUP BY t.name"
            )
            owner.execute(f'GRANT USAGE ON SCHEMA reports TO "{analyst}"')
            owner.execute(f'GRANT SELECT ON reports.tenant_count TO "{analyst}"')

        platform = next(p for p in container.sql_projections() if p.name == "platform")
        rebuild(platform)

        with psycopg.connect(url) as owner:
            assert owner.execute("SELECT name FROM reports.tenant_names").fetchall() == [("Acme",)]
            assert owner.execute("SELECT keys FROM reports.keys_per_tenant").fetchall() == [(0,)]
            assert owner.execute(
                "SELECT obj_description('reports.tenant_names'::regclass, 'pg_class')"
            ).fetchone() == ("Names, for the board",)
        try:
            with connect_as(analyst, url) as conn:
                assert conn.execute("SELECT n FROM reports.tenant_count").fetchone() == (1,)
                assert refused(conn, "SELECT * FROM reports.tenant_names")
        finally:
            # The role outlives this database: take back what it was granted here.
            with psycopg.connect(url, autocommit=True) as owner:
                owner.execute("DROP SCHEMA reports CASCADE")


def test_a_view_that_no_longer_fits_stops_the_swap_and_names_itself(pg_settings: Settings) -> None:
    with build(pg_settings) as container:
        container.platform.create_tenant("Acme")
        container.catch_up()
        url = pg_settings.database_url
        assert url is not None
        with psycopg.connect(url, autocommit=True) as owner:
            # Fits the live rows, fails on any rebuilt table: it refuses a fresh table's oid.
            owner.execute(
                "CREATE FUNCTION public.same_table(o oid) RETURNS int LANGUAGE plpgsql AS $$ "
                f"BEGIN IF o <> {_oid(owner, 'accredit_views.tenants')} THEN "
                "RAISE EXCEPTION 'the table changed'; END IF; RETURN 1; END $$"
            )
            owner.execute(
                "CREATE MATERIALIZED VIEW public.pinned AS SELECT name, "
                "public.same_table('accredit_views.tenants'::regclass::oid) AS ok "
                "FROM accredit_views.tenants"
            )

        platform = next(p for p in container.sql_projections() if p.name == "platform")
        with pytest.raises(DependentViewBroken, match=r"public\.pinned"):
            rebuild(platform)

        with psycopg.connect(url) as owner:
            assert owner.execute("SELECT name FROM public.pinned").fetchall() == [("Acme",)]
            assert owner.execute("SELECT name FROM accredit_views.tenants").fetchall() == [
                ("Acme",)
            ]


def _oid(conn: psycopg.Connection[tuple[object, ...]], table: str) -> int:
    row = conn.execute("SELECT %s::regclass::oid", (table,)).fetchone()
    assert row is not None
    return int(str(row[0]))
