"""What every SQL view implementation shares: its tables and its buffered row changes."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Connection, Table

from adapters.projection.row_buffer import RowBuffer


class SqlView:
    """A projection's tables, changed inside the runner's transaction.

    Subclasses list every table the projection owns in `tables` (in the views'
    schema): a rebuild builds, swaps and verifies exactly those. Changes go through
    `rows`, which sends them in a few statements when the runner calls flush().
    """

    tables: ClassVar[tuple[Table, ...]] = ()

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.rows = RowBuffer(conn)

    def flush(self) -> None:
        """Sends the buffered changes (the runner calls it before committing a batch)."""
        self.rows.flush()
