"""What every SQL view implementation shares: its tables and its buffered row changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from eventsourcing.domain import DomainEventProtocol
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

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        """Reads the rows the batch's view changes will read, in a few statements.

        The runner calls it with a batch's domain events before projecting them. A
        view whose changes read rows (through `rows.value`) loads them here with
        `rows.load`, rather than one statement per row; one that only writes has
        nothing to do.
        """
        del domain_events

    def flush(self) -> None:
        """Sends the buffered changes (the runner calls it before committing a batch)."""
        self.rows.flush()
