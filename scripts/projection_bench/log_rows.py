"""An application's notification rows read with the driver alone, as a plain-SQL baseline would."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg

from adapters.settings import Settings


def log_rows(settings: Settings, application: str, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    """(id, originator_id, originator_version, topic, state) rows, `batch` at a time."""
    conn: Any
    if settings.database_url is None:
        conn = sqlite3.connect(settings.data_dir / f"{application}.events.sqlite")
        query = (
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
    else:
        conn = psycopg.connect(settings.database_url)
        query = (
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {application}_events WHERE notification_id > %s "
            "ORDER BY notification_id LIMIT %s"
        )
    try:
        last = 0
        while True:
            rows = conn.execute(query, (last, batch)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield rows
    finally:
        conn.close()
