"""Where each API key's latest commands stand, so its queries can wait for them.

A command's answer names the position of its last domain event. Recording it here,
in the service's own tables, before the answer leaves, lets any process on any host
make the same key's next query wait until the view has it: a key reads its own
writes without naming a position.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import BigInteger, Column, Engine, Table, Text, case, select, text
from sqlalchemy.sql.dml import Insert

from adapters.sql.schema import metadata
from adapters.sql.transactions import dialect_insert, write_transaction
from domain.shared.application import Position

api_key_positions = Table(
    "api_key_positions",
    metadata,
    Column("key_id", Text, primary_key=True, comment="The API key that made the command"),
    Column("application", Text, primary_key=True, comment="The application it went to"),
    Column(
        "notification_id",
        BigInteger,
        nullable=False,
        comment="The furthest position in that application's log a command of the key reached",
    ),
)


class KeyPositions:
    """Each key's furthest command position per application, shared by every process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._record = self._upsert()

    def record(self, key_id: str, positions: Iterable[Position], *, durable: bool = True) -> None:
        """Notes positions a command of the key reached; only ever moves forward.

        Not `durable`: PostgreSQL need not flush the note to disk before it answers (a
        crash may lose the last notes, and the key's next read then waits for less).
        """
        rows = [
            {"key_id": key_id, "application": p.application, "notification_id": p.notification_id}
            for p in positions
        ]
        if not rows:
            return
        with write_transaction(self.engine) as conn:
            if not durable and self.engine.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
            conn.execute(self._record, rows)

    def of(self, key_id: str, applications: Collection[str]) -> list[Position]:
        """The key's positions in these applications (none where it made no command)."""
        if not applications:
            return []
        table = api_key_positions.c
        query = select(table.application, table.notification_id).where(
            table.key_id == key_id, table.application.in_(sorted(applications))
        )
        with self.engine.connect() as conn:
            return [Position(app, int(number)) for app, number in conn.execute(query)]

    def _upsert(self) -> Insert:
        stmt = dialect_insert(self.engine, api_key_positions)
        stored, proposed = api_key_positions.c, stmt.excluded
        further = proposed.notification_id > stored.notification_id
        return stmt.on_conflict_do_update(
            index_elements=[stored.key_id, stored.application],
            set_={
                "notification_id": case(
                    (further, proposed.notification_id), else_=stored.notification_id
                )
            },
        )
