"""Several queries that make one answer see one committed state, on both backends."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, event, func, select, text

from adapters.settings import Settings
from adapters.sql.engines import make_engine
from adapters.sql.reader import Reader

rows = Table("snapshot_rows", MetaData(), Column("n", Integer, primary_key=True))
PAUSE = 0.6


def test_queries_of_one_snapshot_do_not_see_a_commit_made_between_them(
    any_settings: Settings,
) -> None:
    engine = make_engine(any_settings)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pause(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.create_function("pg_sleep", 1, time.sleep)

    rows.create(engine)
    with engine.begin() as conn:
        conn.execute(rows.insert(), [{"n": 1}])
    reader = Reader(engine)

    def write_during_the_pause() -> None:
        time.sleep(PAUSE / 3)
        with engine.begin() as conn:
            conn.execute(rows.insert(), [{"n": 2}])

    writer = threading.Thread(target=write_during_the_pause)
    writer.start()
    count = select(func.count()).select_from(rows)
    before, _, after = reader.snapshot(count, select(text(f"pg_sleep({PAUSE})")), count)
    writer.join(timeout=10)

    assert before[0][0] == after[0][0] == 1
    assert reader.rows(count)[0][0] == 2
    reader.close()
    engine.dispose()
