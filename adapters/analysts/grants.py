"""Read-only access for analysts to the projection tables (PostgreSQL).

`accredit_analyst` is a role without login that may read every table in the views'
schema and nothing else; analysts' own login roles are made members of it. Tables
that a rebuild puts in place keep the grants of the tables they replace.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from adapters.sql.schema import VIEWS_SCHEMA

ANALYST_ROLE = "accredit_analyst"


class AnalystsNeedPostgres(RuntimeError):
    """SQLite has no roles: analysts read a copy of the file instead."""


def grant_analyst(engine: Engine, role: str) -> None:
    """Makes `role` (an existing PostgreSQL role) a read-only reader of the views."""
    if engine.dialect.name != "postgresql":
        raise AnalystsNeedPostgres("analyst roles exist only on PostgreSQL")
    quote = engine.dialect.identifier_preparer.quote
    group, schema = quote(ANALYST_ROLE), quote(VIEWS_SCHEMA)
    with engine.begin() as conn:
        # Roles belong to the whole server: another database may have made it already.
        conn.execute(
            text(
                f"DO $$ BEGIN CREATE ROLE {group} NOLOGIN; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        )
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {group}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {group}"))
        conn.execute(
            text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {group}")
        )
        if role != ANALYST_ROLE:
            conn.execute(text(f"GRANT {group} TO {quote(role)}"))
