"""Fixed-window request counters shared by every process and host on one database."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Connection, Engine, Integer, Table, Text, case, select
from sqlalchemy.sql.dml import ReturningInsert

from adapters.sql.schema import metadata
from adapters.sql.transactions import dialect_insert, write_transaction

rate_limit_counters = Table(
    "rate_limit_counters",
    metadata,
    Column("bucket", Text, primary_key=True, comment="What is limited, e.g. one API key"),
    Column("window_start", BigInteger, nullable=False, comment="Window start, Unix seconds"),
    Column("hits", Integer, nullable=False, comment="Requests counted in that window"),
)


# Leases one process remembers at most: forgetting one may waste its unspent hits (a refusal
# a little early), never let a quota be exceeded.
MAX_LEASES = 10_000


@dataclass(frozen=True)
class RateDecision:
    """Whether one request may proceed, and what to tell the client about its quota."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


@dataclass
class _Lease:
    """Hits this process took from the shared counter and has not used yet."""

    window_start: int
    left: int
    exhausted: bool = False
    shared_left: int = 0  # what the shared counter had left at the last write


def lease_size(limit: int, divisor: int, cap: int) -> int:
    """How many hits one write takes: 1 (exact) for small quotas, a sliver of large ones."""
    return max(1, min(cap, limit // divisor))


class SqlRateLimiter:
    """Counts requests per bucket in fixed windows shared through the database.

    A process takes hits from the shared counter in leases (one atomic upsert per
    lease) and spends them locally, so a busy key costs one write per lease instead
    of one per request. The quota is never exceeded across processes; a lease still
    unspent when another process runs dry can refuse at most a lease's worth too
    early, which is 1% of a quota by default and nothing for quotas under 200.
    """

    def __init__(
        self,
        engine: Engine,
        window_seconds: int,
        clock: Callable[[], float] = time.time,
        lease_divisor: int = 100,
        lease_cap: int = 100,
    ) -> None:
        if window_seconds < 1:
            raise ValueError("window_seconds must be at least 1")
        self.engine = engine
        self.window_seconds = window_seconds
        self.clock = clock
        self.lease_divisor = lease_divisor
        self.lease_cap = lease_cap
        self._statement = self._upsert()
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, limit: int) -> RateDecision:
        """Counts one request in the bucket's current window; allowed while within limit."""
        now = self.clock()
        window_start = int(now // self.window_seconds) * self.window_seconds
        with self._lock:
            lease = self._leases.get(bucket)
            if lease is not None and lease.window_start == window_start:
                if lease.exhausted:
                    # Counts only grow within a window: once spent, it stays spent.
                    return self._decision(False, limit, 0, window_start, now)
                if lease.left > 0:
                    lease.left -= 1
                    remaining = lease.shared_left + lease.left
                    return self._decision(True, limit, remaining, window_start, now)
        size = lease_size(limit, self.lease_divisor, self.lease_cap)
        params = {"bucket": bucket, "window_start": window_start, "hits": size}
        with self._connection() as conn:
            row = conn.execute(self._statement, params).one()
        hits, current_start = int(row.hits), int(row.window_start)
        granted = max(0, min(size, limit - (hits - size)))
        shared_left = max(limit - hits, 0)
        with self._lock:
            lease = self._leases.get(bucket)
            if lease is None or lease.window_start != current_start:
                lease = self._new_lease(bucket, current_start)
            if granted == 0:
                lease.exhausted = lease.left == 0 and shared_left == 0
                return self._decision(False, limit, 0, current_start, now)
            lease.left += granted - 1
            lease.shared_left = shared_left
            return self._decision(True, limit, shared_left + lease.left, current_start, now)

    def peek(self, bucket: str, limit: int) -> RateDecision:
        """Whether the bucket has a hit left in its current window, counting none.

        A window this process saw spent answers from memory; otherwise one SELECT reads
        the shared counter, and a spent window is remembered until it ends.
        """
        now = self.clock()
        window_start = int(now // self.window_seconds) * self.window_seconds
        with self._lock:
            lease = self._leases.get(bucket)
            if lease is not None and lease.window_start >= window_start:
                if lease.exhausted:
                    return self._decision(False, limit, 0, lease.window_start, now)
                if lease.left > 0:
                    return self._decision(
                        True, limit, lease.shared_left + lease.left, window_start, now
                    )
        counter = rate_limit_counters.c
        with self._connection() as conn:
            row = conn.execute(
                select(counter.window_start, counter.hits).where(counter.bucket == bucket)
            ).first()
        # A stored window older than this one is over; a newer one (a host whose clock is
        # ahead) is the window the counter counts in.
        if row is None or int(row.window_start) < window_start:
            return self._decision(True, limit, limit, window_start, now)
        current_start, left = int(row.window_start), max(limit - int(row.hits), 0)
        if left > 0:
            return self._decision(True, limit, left, current_start, now)
        with self._lock:
            lease = self._leases.get(bucket)
            if lease is None or lease.window_start != current_start:
                lease = self._new_lease(bucket, current_start)
            lease.exhausted = lease.left == 0
        return self._decision(False, limit, 0, current_start, now)

    def _new_lease(self, bucket: str, window_start: int) -> _Lease:
        # Buckets can be many (client addresses): past windows' leases are let go first.
        if len(self._leases) >= MAX_LEASES:
            for name, lease in list(self._leases.items()):
                if lease.window_start < window_start:
                    del self._leases[name]
            if len(self._leases) >= MAX_LEASES:
                self._leases.clear()
        lease = self._leases[bucket] = _Lease(window_start, 0)
        return lease

    def _decision(
        self, allowed: bool, limit: int, remaining: int, window_start: int, now: float
    ) -> RateDecision:
        window_end = window_start + self.window_seconds
        reset = min(max(math.ceil(window_end - now), 1), self.window_seconds)
        return RateDecision(allowed, limit, min(remaining, limit), reset)

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
                "hits": case((newer, proposed.hits), else_=stored.hits + proposed.hits),
                "window_start": case((newer, proposed.window_start), else_=stored.window_start),
            },
        ).returning(stored.window_start, stored.hits)
