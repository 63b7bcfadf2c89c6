"""The row buffer: a batch's changes, coalesced per row, leave what one-by-one SQL would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, event, select

from adapters.projection.row_buffer import DuplicateRow, MissingRow, RowBuffer

test_metadata = MetaData()
buffered = Table(
    "buffered_rows",
    test_metadata,
    Column("a", Integer, primary_key=True),
    Column("b", String(10), primary_key=True),
    Column("x", Integer, nullable=True),
    Column("y", String(20), nullable=True),
)
direct = buffered.to_metadata(test_metadata, name="direct_rows")


@pytest.fixture
def tables(engine: Engine) -> Iterator[Engine]:
    test_metadata.create_all(engine)
    yield engine
    test_metadata.drop_all(engine)


def rows(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(table.c.a, table.c.b))]


def count_statements(engine: Engine) -> list[str]:
    statements: list[str] = []
    event.listen(
        engine, "before_cursor_execute", lambda _c, _cur, sql, *_rest: statements.append(sql)
    )
    return statements


def test_an_insert_then_updates_of_one_row_in_one_batch_write_its_final_values(
    tables: Engine,
) -> None:
    with tables.begin() as conn:
        buffer = RowBuffer(conn)
        buffer.insert(buffered, {"a": 1, "b": "k", "x": 1, "y": "first"})
        buffer.update(buffered, (1, "k"), {"x": 2})
        buffer.update(buffered, (1, "k"), {"y": "last"})
        assert buffer.value(buffered, (1, "k"), "y") == "last"
        buffer.flush()

    assert rows(tables, buffered) == [(1, "k", 2, "last")]


def test_a_batch_of_many_row_changes_takes_one_statement_per_kind_and_column_set(
    tables: Engine,
) -> None:
    with tables.begin() as conn:
        conn.execute(buffered.insert(), [{"a": n, "b": "old", "x": n} for n in range(100)])
    statements = count_statements(tables)
    with tables.begin() as conn:
        buffer = RowBuffer(conn)
        for n in range(100):
            buffer.insert(buffered, {"a": n, "b": "new", "x": n, "y": None})
            buffer.update(buffered, (n, "old"), {"y": "seen"})
            buffer.update(buffered, (n, "new"), {"y": "made"})
        buffer.flush()

    writes = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
    assert len(writes) <= 2
    assert {r[3] for r in rows(tables, buffered)} == {"seen", "made"}


def test_rows_loaded_for_a_batch_are_read_in_one_statement_and_answer_every_read(
    tables: Engine,
) -> None:
    with tables.begin() as conn:
        conn.execute(buffered.insert(), [{"a": n, "b": "k", "x": n, "y": "y"} for n in range(100)])
    statements = count_statements(tables)
    with tables.begin() as conn:
        buffer = RowBuffer(conn)
        found = buffer.load(buffered, [(n, "k") for n in range(200)])
        values = [buffer.value(buffered, (n, "k"), "x") for n in range(100)]
        with pytest.raises(MissingRow):
            buffer.value(buffered, (150, "k"), "x")

    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1
    assert [(r["a"], r["x"]) for r in found] == [(n, n) for n in range(100)]
    assert values == list(range(100))


def test_a_row_read_before_a_flush_that_changes_it_is_read_again_after(tables: Engine) -> None:
    with tables.begin() as conn:
        conn.execute(buffered.insert().values(a=1, b="k", x=1, y="old"))
        buffer = RowBuffer(conn)
        buffer.load(buffered, [(1, "k"), (2, "k")])
        buffer.update(buffered, (1, "k"), {"y": "new"})
        buffer.insert(buffered, {"a": 2, "b": "k", "x": 2})
        buffer.flush()

        assert buffer.value(buffered, (1, "k"), "y") == "new"
        assert buffer.value(buffered, (2, "k"), "x") == 2


def test_inserting_a_row_twice_in_one_batch_is_refused(tables: Engine) -> None:
    with tables.begin() as conn:
        buffer = RowBuffer(conn)
        buffer.insert(buffered, {"a": 1, "b": "k", "x": 1, "y": None})
        with pytest.raises(DuplicateRow):
            buffer.insert(buffered, {"a": 1, "b": "k", "x": 2, "y": None})


def test_reading_a_deleted_or_absent_row_is_refused(tables: Engine) -> None:
    with tables.begin() as conn:
        buffer = RowBuffer(conn)
        buffer.insert(buffered, {"a": 1, "b": "k", "x": 1, "y": None})
        buffer.delete(buffered, (1, "k"))
        with pytest.raises(MissingRow):
            buffer.value(buffered, (1, "k"), "x")
        with pytest.raises(MissingRow):
            buffer.value(buffered, (2, "k"), "x")


keys = st.tuples(st.integers(0, 3), st.sampled_from(["k", "l"]))
values = st.fixed_dictionaries(
    {}, optional={"x": st.integers(0, 9), "y": st.text("ab", max_size=3)}
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), keys, values),
        st.tuples(st.just("update"), keys, values),
        st.tuples(st.just("delete"), keys, st.just({})),
        st.tuples(st.just("read"), keys, st.sampled_from(["x", "y"])),
        st.tuples(st.just("load"), keys, st.lists(keys, max_size=3)),
        st.tuples(st.just("flush"), keys, st.just({})),
        st.tuples(st.just("delete_all"), keys, st.just({})),
    ),
    max_size=30,
)


def test_rows_deleted_by_a_key_prefix_go_pending_and_stored_alike(tables: Engine) -> None:
    with tables.begin() as conn:
        conn.execute(buffered.insert(), [{"a": 1, "b": "k", "x": 1}, {"a": 2, "b": "k", "x": 2}])
        buffer = RowBuffer(conn)
        buffer.load(buffered, [(1, "k")])
        buffer.insert(buffered, {"a": 1, "b": "l", "x": 3})
        buffer.delete_all(buffered, 1)
        with pytest.raises(MissingRow):
            buffer.value(buffered, (1, "k"), "x")
        buffer.insert(buffered, {"a": 1, "b": "k", "x": 4})
        buffer.flush()

    assert rows(tables, buffered) == [(1, "k", 4, None), (2, "k", 2, None)]


def test_buffered_changes_leave_the_table_as_one_by_one_sql_would(tables: Engine) -> None:
    @settings(max_examples=40, deadline=None)
    @given(operations)
    def check(generated: list[tuple[str, tuple[int, str], Any]]) -> None:
        with tables.begin() as conn:
            conn.execute(buffered.delete())
            conn.execute(direct.delete())
            buffer = RowBuffer(conn)
            present: set[tuple[int, str]] = set()
            for kind, key, arg in generated:
                where = (direct.c.a == key[0]) & (direct.c.b == key[1])
                if kind == "insert" and key not in present:
                    row = {"a": key[0], "b": key[1], **arg}
                    buffer.insert(buffered, row)
                    conn.execute(direct.insert().values(row))
                    present.add(key)
                elif kind == "update" and arg:
                    buffer.update(buffered, key, arg)
                    conn.execute(direct.update().where(where).values(arg))
                elif kind == "delete":
                    buffer.delete(buffered, key)
                    conn.execute(direct.delete().where(where))
                    present.discard(key)
                elif kind == "read" and key in present:
                    expected = conn.execute(select(direct.c[arg]).where(where)).scalar_one()
                    assert buffer.value(buffered, key, arg) == expected
                elif kind == "load":
                    buffer.load(buffered, [key, *arg])
                elif kind == "flush":
                    buffer.flush()
                elif kind == "delete_all":  # every row of the key's first column
                    buffer.delete_all(buffered, key[0])
                    conn.execute(direct.delete().where(direct.c.a == key[0]))
                    present = {k for k in present if k[0] != key[0]}
            buffer.flush()
        assert rows(tables, buffered) == rows(tables, direct)

    check()
