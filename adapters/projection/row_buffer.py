"""A batch's row changes, coalesced per row and written with a few executemany calls.

A projector makes one small change per domain event; sent one by one, each is a
round trip. The buffer keeps at most one pending change per row (an insert, an
update, a delete, or a delete-then-insert), folding later changes of the row into
it: an insert then updates of one row become one insert of its final values.
Changes of different rows commute, so at flush the buffer sends every delete,
then every insert, then every update, each group as one executemany per table and
column set. Reads of a column see the pending changes first, then the row as the
database holds it, read once per batch: load() reads many rows in one statement,
so a view that knows what its batch will read asks for it up front.

This holds for tables whose rows are independent: no foreign keys between view
tables and no unique constraint other than the primary key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

Key = tuple[Any, ...]
# Keys per read: a default batch's rows in one statement, and even keys of several
# columns far below SQLite's limit of 32,766 parameters.
LOAD_CHUNK = 1000


class DuplicateRow(LookupError):
    """An insert of a row that this batch has already inserted."""


class MissingRow(LookupError):
    """A read of a row that does not exist."""


class _Kind(Enum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"  # delete, then insert


@dataclass
class _Change:
    kind: _Kind
    values: dict[str, Any] = field(default_factory=dict)


class RowBuffer:
    """Row changes of one transaction, sent on flush()."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._changes: dict[Table, dict[Key, _Change]] = {}
        # Rows as the database holds them, by key; None: the database has no such row.
        self._read: dict[Table, dict[Key, dict[str, Any] | None]] = {}

    def insert(self, table: Table, values: Mapping[str, Any]) -> None:
        key = _key_of(table, values)
        rows = self._rows(table)
        known = rows.get(key)
        if known is None:
            rows[key] = _Change(_Kind.INSERT, dict(values))
        elif known.kind is _Kind.DELETE:
            rows[key] = _Change(_Kind.REPLACE, dict(values))
        elif known.kind is _Kind.UPDATE:
            # Whether the row exists is the database's to say: send what is pending first.
            self.flush()
            self._rows(table)[key] = _Change(_Kind.INSERT, dict(values))
        else:
            raise DuplicateRow(f"{table.name} {key} is inserted twice")

    def update(self, table: Table, key: Any, values: Mapping[str, Any]) -> None:
        """Sets columns of the row with this primary key (a no-op if there is no such row)."""
        key = _as_key(key)
        rows = self._rows(table)
        known = rows.get(key)
        if known is None:
            rows[key] = _Change(_Kind.UPDATE, dict(values))
        elif known.kind is not _Kind.DELETE:
            known.values.update(values)

    def delete(self, table: Table, key: Any) -> None:
        key = _as_key(key)
        rows = self._rows(table)
        known = rows.get(key)
        if known is not None and known.kind is _Kind.INSERT:
            del rows[key]
        else:
            rows[key] = _Change(_Kind.DELETE)

    def delete_all(self, table: Table, prefix: Any) -> None:
        """Deletes every row whose primary key begins with `prefix` (pending ones too).

        The rows are not known one by one: what is pending is sent first, then one
        statement deletes them, so later changes in the batch apply after it.
        """
        prefix = _as_key(prefix)
        self.flush()
        columns = list(table.primary_key.columns)[: len(prefix)]
        self.conn.execute(
            delete(table).where(and_(*(c == v for c, v in zip(columns, prefix, strict=True))))
        )
        read = self._read.get(table, {})
        for key in read:
            if key[: len(prefix)] == prefix:
                read[key] = None

    def value(self, table: Table, key: Any, column: str) -> Any:
        """A column of one row as it stands with the pending changes; MissingRow if none."""
        key = _as_key(key)
        known = self._rows(table).get(key)
        if known is not None:
            if known.kind is _Kind.DELETE:
                raise MissingRow(f"{table.name} {key}")
            if column in known.values or known.kind is not _Kind.UPDATE:
                return known.values.get(column)
        if key not in self._read.get(table, {}):
            self.load(table, [key])
        row = self._read[table][key]
        if row is None:
            raise MissingRow(f"{table.name} {key}")
        return row[column]

    def load(self, table: Table, keys: Iterable[Any]) -> list[Mapping[str, Any]]:
        """Reads the rows with these keys that are not read yet, LOAD_CHUNK per statement.

        Returns those that exist, as the database holds them; value() then answers
        from them without a statement each.
        """
        read = self._read.setdefault(table, {})
        wanted = list(dict.fromkeys(_as_key(k) for k in keys))
        unread = [k for k in wanted if k not in read]
        for start in range(0, len(unread), LOAD_CHUNK):
            chunk = unread[start : start + LOAD_CHUNK]
            read.update(dict.fromkeys(chunk))
            found = self.conn.execute(select(table).where(_key_in(table, chunk)))
            for record in found.mappings().all():
                row = dict(record)
                read[_key_of(table, row)] = row
        return [r for k in wanted if (r := read[k]) is not None]

    def flush(self) -> None:
        """Sends every pending change: deletes, then inserts, then updates."""
        changes, self._changes = self._changes, {}
        for table, rows in changes.items():
            # The database is about to hold these rows' new values: what was read is stale.
            read = self._read.get(table, {})
            for key in rows.keys() & read.keys():
                del read[key]
        for kinds, send in (
            ((_Kind.DELETE, _Kind.REPLACE), self._send_deletes),
            ((_Kind.INSERT, _Kind.REPLACE), self._send_inserts),
            ((_Kind.UPDATE,), self._send_updates),
        ):
            for table, rows in changes.items():
                chosen = {k: c for k, c in rows.items() if c.kind in kinds}
                if chosen:
                    send(table, chosen)

    def _rows(self, table: Table) -> dict[Key, _Change]:
        return self._changes.setdefault(table, {})

    def _send_deletes(self, table: Table, rows: dict[Key, _Change]) -> None:
        statement = delete(table).where(_where_key(table))
        self.conn.execute(statement, [_key_params(table, key) for key in rows])

    def _send_inserts(self, table: Table, rows: dict[Key, _Change]) -> None:
        for group in _by_columns(rows).values():
            self.conn.execute(insert(table), [rows[k].values for k in group])

    def _send_updates(self, table: Table, rows: dict[Key, _Change]) -> None:
        for columns, group in _by_columns(rows).items():
            if not columns:
                continue
            statement = (
                update(table)
                .where(_where_key(table))
                .values({c: bindparam(c, type_=table.c[c].type) for c in columns})
            )
            params = [{**rows[k].values, **_key_params(table, k)} for k in group]
            self.conn.execute(statement, params)


def _by_columns(rows: dict[Key, _Change]) -> dict[tuple[str, ...], list[Key]]:
    groups: dict[tuple[str, ...], list[Key]] = {}
    for key, change in rows.items():
        groups.setdefault(tuple(sorted(change.values)), []).append(key)
    return groups


def _as_key(key: Any) -> Key:
    return key if isinstance(key, tuple) else (key,)


def _key_of(table: Table, values: Mapping[str, Any]) -> Key:
    return tuple(values[c.name] for c in table.primary_key.columns)


def _key_param(name: str) -> str:
    return f"key_{name}"


def _key_params(table: Table, key: Key) -> dict[str, Any]:
    return {_key_param(c.name): v for c, v in zip(table.primary_key.columns, key, strict=True)}


def _key_in(table: Table, keys: list[Key]) -> ColumnElement[bool]:
    """The rows with these primary keys."""
    columns = list(table.primary_key.columns)
    if len(columns) == 1:
        return columns[0].in_([k[0] for k in keys])
    return tuple_(*columns).in_(keys)


def _where_key(table: Table) -> ColumnElement[bool]:
    """The primary key condition, bound to key_<column> parameters (for executemany)."""
    columns = table.primary_key.columns
    return and_(*(c == bindparam(_key_param(c.name), type_=c.type) for c in columns))
