"""A table replaced by one of another shape does not break queries the driver prepared."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select, text
from sqlalchemy.exc import DBAPIError

from adapters.settings import Settings
from adapters.sql.engines import make_engine
from adapters.sql.reader import Reader

shape = Table("shape", MetaData(), Column("a", Integer))


def test_a_prepared_query_answers_after_its_table_changes_type(pg_settings: Settings) -> None:
    engine = make_engine(pg_settings)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE shape (a integer)"))
        conn.execute(text("INSERT INTO shape VALUES (7)"))
    reader = Reader(engine)
    query = select(shape.c.a)
    # Past the driver's threshold, the statement is prepared on the server.
    before = [reader.rows(query)[0][0] for _ in range(8)]
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE shape ALTER COLUMN a TYPE bigint"))

    after = reader.rows(query)

    assert before == [7] * 8
    assert after[0][0] == 7
    reader.close()
    engine.dispose()


def test_other_database_errors_still_reach_the_caller(pg_settings: Settings) -> None:
    engine = make_engine(pg_settings)
    reader = Reader(engine)

    with pytest.raises(DBAPIError):
        reader.rows(select(shape.c.a))

    assert reader.rows(select(text("1")))[0][0] == 1
    reader.close()
    engine.dispose()
