"""When each API key was last used, counted in memory and written by a thread of its own.

A request only adds to a counter in memory. Writing waits for the views' database
(on SQLite, for a projection batch or a rebuild's swap holding the file's write
lock), so it happens on the flusher thread, never on a request's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Column, Engine, Table, Uuid, case, select

from adapters.periodic import Periodic
from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.transactions import dialect_insert, write_transaction
from adapters.sql.types import UtcDateTime

logger = logging.getLogger(__name__)

api_key_usage = Table(
    "api_key_usage",
    metadata,
    Column("key_id", Uuid, primary_key=True, comment="The API key"),
    Column("tenant_id", Uuid, nullable=False, comment="Owning tenant"),
    Column("last_used_at", UtcDateTime, nullable=False, comment="Latest authenticated use"),
    Column("request_count", BigInteger, nullable=False, comment="Requests made with the key"),
    # Not a projection (the recorder writes it), but for analysts, so it sits with the views.
    schema=VIEWS_SCHEMA,
    comment="API key use, written by each process every ACCREDIT_USAGE_FLUSH_SECONDS; "
    "not rebuilt from the history",
)


@dataclass(frozen=True)
class KeyUsage:
    """What is stored about one key's use."""

    last_used_at: datetime
    request_count: int


@dataclass(frozen=True)
class _Pending:
    tenant_id: UUID
    count: int
    last_used_at: datetime

    def merged(self, other: _Pending) -> _Pending:
        latest = max(self.last_used_at, other.last_used_at)
        return _Pending(self.tenant_id, self.count + other.count, latest)


class KeyUsageRecorder:
    """Counts key uses in memory; once started, adds them to the table every flush_seconds."""

    def __init__(
        self,
        engine: Engine,
        flush_seconds: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.flush_seconds = flush_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: dict[UUID, _Pending] = {}
        self._flusher = Periodic("key-usage-flusher", flush_seconds, self.flush)

    def record(self, tenant_id: UUID, key_id: UUID) -> None:
        """Counts one use of the key, in memory only."""
        now = self.clock()
        with self._lock:
            self._add({key_id: _Pending(tenant_id, 1, now)})

    def start(self) -> None:
        """Starts the thread that writes the counts (a serving process calls it once)."""
        self._flusher.start()

    def close(self) -> None:
        """Stops the thread, then writes what is still pending."""
        self._flusher.stop()
        self.flush()

    def flush(self) -> None:
        """Adds the pending counts to the table; on failure logs and keeps them pending."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            self._write(batch)
        except Exception:
            # Whatever failed, the transaction did not commit: the counts go back to
            # pending, merged with those recorded meanwhile, for the next flush.
            logger.exception("could not write API key usage; keeping %d keys pending", len(batch))
            with self._lock:
                self._add(batch)

    def usage(self, key_ids: Iterable[UUID]) -> dict[UUID, KeyUsage]:
        """The stored usage of the given keys (pending counts are not included)."""
        wanted = list(key_ids)
        if not wanted:
            return {}
        table = api_key_usage.c
        query = select(table.key_id, table.last_used_at, table.request_count).where(
            table.key_id.in_(wanted)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {row.key_id: KeyUsage(row.last_used_at, int(row.request_count)) for row in rows}

    def _add(self, batch: dict[UUID, _Pending]) -> None:
        for key_id, pending in batch.items():
            known = self._pending.get(key_id)
            self._pending[key_id] = pending if known is None else known.merged(pending)

    def _write(self, batch: dict[UUID, _Pending]) -> None:
        stmt = dialect_insert(self.engine, api_key_usage)
        stored, proposed = api_key_usage.c, stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[stored.key_id],
            set_={
                "last_used_at": case(
                    (proposed.last_used_at > stored.last_used_at, proposed.last_used_at),
                    else_=stored.last_used_at,
                ),
                "request_count": stored.request_count + proposed.request_count,
            },
        )
        # Sorted keys make concurrent flushes from several processes lock rows in one order.
        rows = [
            {
                "key_id": key_id,
                "tenant_id": pending.tenant_id,
                "last_used_at": pending.last_used_at,
                "request_count": pending.count,
            }
            for key_id, pending in sorted(batch.items(), key=lambda item: item[0])
        ]
        with write_transaction(self.engine) as conn:
            conn.execute(stmt, rows)
