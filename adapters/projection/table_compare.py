"""Row-by-row comparison of two copies of a table, streamed in primary key order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, Table, select
from sqlalchemy.sql.elements import ColumnElement

ABSENT = "(no row)"
FETCH_ROWS = 1000


@dataclass(frozen=True)
class Difference:
    """One cell (or, with column None, one whole row) that differs between two copies."""

    table: str
    key: tuple[Any, ...]
    column: str | None
    live: Any
    rebuilt: Any

    def __str__(self) -> str:
        key = ", ".join(str(k) for k in self.key)
        where = f"{self.table} [{key}]" + (f" {self.column}" if self.column else "")
        return f"{where}: live={self.live!r} rebuilt={self.rebuilt!r}"


def compare_table(table: Table, live: Connection, rebuilt: Connection) -> Iterator[Difference]:
    """Every difference between the live table and its rebuilt copy."""
    key_names = [c.name for c in table.primary_key.columns]
    columns = [c.name for c in table.columns if c.name not in key_names]
    live_rows, rebuilt_rows = _keyed(table, live), _keyed(table, rebuilt)
    a, b = next(live_rows, None), next(rebuilt_rows, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            yield Difference(table.name, a[0], None, "(row)", ABSENT)
            a = next(live_rows, None)
        elif a is None or b[0] < a[0]:
            yield Difference(table.name, b[0], None, ABSENT, "(row)")
            b = next(rebuilt_rows, None)
        else:
            key, mine, theirs = a[0], a[1], b[1]
            for column in columns:
                if mine[column] != theirs[column]:
                    yield Difference(table.name, key, column, mine[column], theirs[column])
            a, b = next(live_rows, None), next(rebuilt_rows, None)


def _keyed(table: Table, conn: Connection) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    key_names = [c.name for c in table.primary_key.columns]
    for row in _rows(table, conn):
        yield tuple(row[k] for k in key_names), row


def _rows(table: Table, conn: Connection) -> Iterator[dict[str, Any]]:
    query = (
        select(table)
        .order_by(*(_ordered(c, conn) for c in table.primary_key.columns))
        .execution_options(stream_results=True, yield_per=FETCH_ROWS)
    )
    for row in conn.execute(query):
        yield dict(row._mapping)


def _ordered(column: Any, conn: Connection) -> ColumnElement[Any]:
    # Python compares text by code point, as PostgreSQL does only in the "C" collation
    # (SQLite's default collation already does).
    if isinstance(column.type, String) and conn.dialect.name == "postgresql":
        return column.collate("C")  # type: ignore[no-any-return]
    return column  # type: ignore[no-any-return]
