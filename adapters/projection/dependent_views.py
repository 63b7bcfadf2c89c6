"""Analysts' own views on projection tables, carried over when a rebuild replaces the tables.

PostgreSQL refuses to drop a table that a view reads. A swap therefore notes
every view (and materialized view) resting on a live table, directly or through
other views, with its owner, readers and comment; drops them with the table; and
creates them again, in dependency order, on the table that takes its place, all
in the swap's transaction. A view that no longer fits the new table (a column it
reads is gone) stops the swap: the old tables stay live and the error names the
view, for its owner to change it. Views are never dropped for good.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError


class DependentViewBroken(RuntimeError):
    """A view resting on a projection table cannot be recreated on its new version."""


@dataclass(frozen=True)
class DependentView:
    schema: str
    name: str
    materialized: bool
    definition: str
    owner: str
    readers: tuple[str, ...]
    comment: str | None
    depth: int  # 1: reads the table itself; n: reads a view of depth n - 1

    @property
    def kind(self) -> str:
        return "MATERIALIZED VIEW" if self.materialized else "VIEW"

    @property
    def qualified(self) -> str:
        return f"{_quote(self.schema)}.{_quote(self.name)}"


_DEPENDENTS = text(
    """
    WITH RECURSIVE dependents(oid, depth) AS (
        SELECT DISTINCT r.ev_class, 1
        FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass(:table)
          AND r.ev_class <> d.refobjid
        UNION
        SELECT r.ev_class, dependents.depth + 1
        FROM dependents
        JOIN pg_depend d ON d.refobjid = dependents.oid AND d.classid = 'pg_rewrite'::regclass
        JOIN pg_rewrite r ON r.oid = d.objid
        WHERE r.ev_class <> dependents.oid
    )
    SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
           pg_get_viewdef(c.oid) AS definition, pg_get_userbyid(c.relowner) AS owner,
           obj_description(c.oid, 'pg_class') AS comment,
           ARRAY(
               SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                    ELSE quote_ident(pg_get_userbyid(a.grantee)) END
               FROM aclexplode(c.relacl) a
               WHERE a.privilege_type = 'SELECT' AND a.grantee <> c.relowner
           ) AS readers,
           max(dependents.depth) AS depth
    FROM dependents JOIN pg_class c ON c.oid = dependents.oid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    GROUP BY c.oid, n.nspname, c.relname, c.relkind, c.relowner, c.relacl
    ORDER BY depth, n.nspname, c.relname
    """
)


def views_resting_on(conn: Connection, schema: str, table: str) -> list[DependentView]:
    """Every view reading the table, directly or not, in an order that can recreate them."""
    rows = conn.execute(_DEPENDENTS, {"table": f"{_quote(schema)}.{_quote(table)}"})
    return [
        DependentView(
            schema=r.schema,
            name=r.name,
            materialized=bool(r.materialized),
            definition=r.definition.strip().rstrip(";"),
            owner=r.owner,
            readers=tuple(r.readers),
            comment=r.comment,
            depth=int(r.depth),
        )
        for r in rows
    ]


def views_resting_on_any(conn: Connection, tables: list[tuple[str, str]]) -> list[DependentView]:
    """The views reading any of these (schema, table) pairs, each once, readers first."""
    found: dict[tuple[str, str], DependentView] = {}
    for schema, table in tables:
        for view in views_resting_on(conn, schema, table):
            known = found.get((view.schema, view.name))
            if known is None or known.depth < view.depth:
                found[(view.schema, view.name)] = view
    return sorted(found.values(), key=lambda v: (v.depth, v.schema, v.name))


def drop(conn: Connection, views: list[DependentView]) -> None:
    """Drops the views, those reading others first (no CASCADE: nothing else goes)."""
    for view in reversed(views):
        conn.execute(text(f"DROP {view.kind} IF EXISTS {view.qualified}"))


def recreate(conn: Connection, views: list[DependentView]) -> None:
    """Creates the views again as they were: definition, owner, readers and comment."""
    for view in views:
        kind = view.kind
        try:
            with conn.begin_nested():
                # The definition is PostgreSQL's own rendering of an existing view.
                conn.execute(text(f"CREATE {kind} {view.qualified} AS {view.definition}"))
        except DBAPIError as exc:
            raise DependentViewBroken(
                f"the {kind.lower()} {view.schema}.{view.name} reads a projection table but "
                f"does not fit its new version ({exc.orig}); change or drop it, then rebuild"
            ) from None
        conn.execute(text(f"ALTER {kind} {view.qualified} OWNER TO {_quote(view.owner)}"))
        for reader in view.readers:
            conn.execute(text(f"GRANT SELECT ON {view.qualified} TO {reader}"))
        if view.comment is not None:
            literal = "'" + view.comment.replace("'", "''") + "'"
            conn.execute(text(f"COMMENT ON {kind} {view.qualified} IS {literal}"))


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
