"""Reading an application's notification log a batch at a time, as cheaply as the store allows.

The library's readers make a frozen dataclass for every row they return (and on
SQLite a UUID); a projector reading a million rows spends more on that than on
the rows themselves. On SQLite and PostgreSQL the log is read with the same SQL
into plain tuples, the originator id left as stored for the batch decoder to
convert. Other stores are read through the library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql
from psycopg.rows import tuple_row


class Recorded(NamedTuple):
    """One notification: its id in the log and the stored domain event."""

    id: int
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes


def read_notifications(
    app: Application[Any], after: int, limit: int, stop: int | None = None
) -> Sequence[Recorded]:
    """Up to `limit` notifications with ids above `after` (and at most `stop`), in order."""
    recorder = app.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _sqlite_notifications(recorder, after, limit, stop)
    if isinstance(recorder, PostgresApplicationRecorder):
        return _postgres_notifications(recorder, after, limit, stop)
    return [
        Recorded(n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in recorder.select_notifications(
            start=after, limit=limit, stop=stop, inclusive_of_start=False
        )
    ]


def _sqlite_notifications(
    recorder: SQLiteApplicationRecorder, after: int, limit: int, stop: int | None
) -> list[Recorded]:
    # The table name is the library's own attribute, never input.
    statement = (
        "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
        f"FROM {recorder.events_table_name} WHERE rowid > ? "
    )
    params: list[int] = [after]
    if stop is not None:
        statement += "AND rowid <= ? "
        params.append(stop)
    statement += "ORDER BY rowid LIMIT ?"
    params.append(limit)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, params)
        return [Recorded._make(row) for row in cursor.fetchall()]


def _postgres_notifications(
    recorder: PostgresApplicationRecorder, after: int, limit: int, stop: int | None
) -> list[Recorded]:
    table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
    statement = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
        "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
    ).format(table)
    # A log never holds this many: "no stop" keeps one statement, prepared once.
    params = (after, stop if stop is not None else 2**62, limit)
    with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
        cur.execute(statement, params, prepare=True)
        return [Recorded(n, o, v, t, bytes(state)) for n, o, v, t, state in cur.fetchall()]
