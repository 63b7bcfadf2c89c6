"""Fixed-window request counters shared by every process and host on one database."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Connection, Engine, Integer, Table, Text, case
from sqlalchemy.sql.dml import ReturningInsert

from adapters.database import dialect_insert, metadata, write_transaction

rate_limit_counters = Table(
    "rate_limit_counters",
    metadata,
    Column("bucket", Text, primary_key=True, comment="What is limited, e.g. one API key"),
    Column("window_start", BigInteger, nullable=False, comment="Window start, Unix seconds"),
    Column("hits", Integer, nullable=False, comment="Requests counted in that window"),
)


@dataclass(frozen=True)
class RateDecision:
    """Whether one request may proceed, and what to tell the client about its quota."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


class SqlRateLimiter:
    """Counts requests per bucket in fixed windows with one atomic upsert per request."""

    def __init__(
        self, engine: Engine, window_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        if window_seconds < 1:
            raise ValueError("window_seconds must be at least 1")
        self.engine = engine
        self.window_seconds = window_seconds
        self.clock = clock
        self._statement = self._upsert()

    def hit(self, bucket: str, limit: int) -> RateDecision:
        """Counts one request in the bucket's current window; allowed while within limit."""
        now = self.clock()
        window_start = int(now // self.window_seconds) * self.window_seconds
        params = {"bucket": bucket, "window_start": window_start, "hits": 1}
        with self._connection() as conn:
            row = conn.execute(self._statement, params).one()
        hits, current_start = int(row.hits), int(row.window_start)
        window_end = current_start + self.window_seconds
        reset = min(max(math.ceil(window_end - now), 1), self.window_seconds)
        return RateDecision(
            allowed=hits <= limit,
            limit=limit,
            remaining=max(limit - hits, 0),
            reset_seconds=reset,
        )

    def _connection(self) -> AbstractContextManager[Connection]:
        if self.engine.dialect.name == "postgresql":
            # One statement is its own transaction: skipping BEGIN/COMMIT saves two round trips.
            return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return write_transaction(self.engine)

    def _upsert(self) -> ReturningInsert[tuple[int, int]]:
        stmt = dialect_insert(self.engine, rate_limit_counters)
        stored, proposed = rate_limit_counters.c, stmt.excluded
        # A newer window restarts the count; an older one (a host whose clock lags) is
        # counted in the stored, newer window rather than moving it back.
        newer = proposed.window_start > stored.window_start
        return stmt.on_conflict_do_update(
            index_elements=[stored.bucket],
            set_={
                "hits": case((newer, 1), else_=stored.hits + 1),
                "window_start": case((newer, proposed.window_start), else_=stored.window_start),
            },
        ).returning(stored.window_start, stored.hits)
