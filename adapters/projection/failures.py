"""A projection that cannot apply a domain event: where it stopped, why, and when it retries.

A domain event the projection fails on stops it at that position (everything
before it is applied; nothing after it is, since domain events apply in order).
The failure is recorded beside the tracking rows, so every process (the HTTP
health routes, `accredit projections status`, readiness) sees it, and it is
cleared by the first batch that gets past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    String,
    Table,
    delete,
    select,
)

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.transactions import dialect_insert, write_transaction
from adapters.sql.types import UtcDateTime

ERROR_MAX = 1000
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0

projection_failures = Table(
    "projection_failures",
    metadata,
    Column("projection", String(100), primary_key=True, comment="The projection's name"),
    Column("upstream", String(100), primary_key=True, comment="The application whose log it reads"),
    Column("version", Integer, nullable=False, comment="The projection version that failed"),
    Column(
        "position",
        BigInteger,
        nullable=False,
        comment="The notification id of the domain event it cannot apply (it stops before it)",
    ),
    Column("error", String(ERROR_MAX), nullable=False, comment="What went wrong, in one line"),
    Column("first_failed_at", UtcDateTime, nullable=False, comment="When it first failed there"),
    Column("last_failed_at", UtcDateTime, nullable=False, comment="When it last tried and failed"),
    Column("attempts", Integer, nullable=False, comment="How often it has tried there"),
    Column("retry_at", UtcDateTime, nullable=False, comment="When it tries again"),
    schema=VIEWS_SCHEMA,
    comment="Projections stopped by a domain event they cannot apply; empty when all is well",
)


@dataclass(frozen=True)
class Failure:
    """Where a projection stopped in one upstream log, and why."""

    projection: str
    upstream: str
    version: int
    position: int
    error: str
    first_failed_at: datetime
    last_failed_at: datetime
    attempts: int
    retry_at: datetime


class ProjectionFailed(RuntimeError):
    """A domain event could not be applied; the projection stops before it."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(
            f"projection {failure.projection} cannot apply {failure.upstream}:{failure.position}"
            f" (attempt {failure.attempts}): {failure.error}"
        )
        self.failure = failure


def describe(error: BaseException) -> str:
    """An error in one line, bounded: its type and message."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text[: ERROR_MAX - 3] + "..." if len(text) > ERROR_MAX else text


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: doubling, bounded."""
    seconds = min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds)


def record_failure(
    engine: Engine, projection: str, upstream: str, version: int, position: int, error: str
) -> Failure:
    """Counts one more failed attempt at the position (a new position starts over)."""
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        known = _row(conn, projection, upstream)
        same_place = known is not None and known.position == position
        attempts = known.attempts + 1 if same_place and known is not None else 1
        first = known.first_failed_at if same_place and known is not None else now
        failure = Failure(
            projection,
            upstream,
            version,
            position,
            error,
            first,
            now,
            attempts,
            now + backoff(attempts),
        )
        values = {
            "version": version,
            "position": position,
            "error": error,
            "first_failed_at": first,
            "last_failed_at": now,
            "attempts": attempts,
            "retry_at": failure.retry_at,
        }
        insert = dialect_insert(engine, projection_failures).values(
            projection=projection, upstream=upstream, **values
        )
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=[projection_failures.c.projection, projection_failures.c.upstream],
                set_=values,
            )
        )
    return failure


def clear_failures(conn: Connection, projection: str, upstream: str) -> None:
    """Forgets the projection's failure in one upstream (in the batch that got past it)."""
    conn.execute(
        delete(projection_failures).where(
            projection_failures.c.projection == projection,
            projection_failures.c.upstream == upstream,
        )
    )


def failures(engine: Engine, projection: str | None = None) -> list[Failure]:
    """The failures recorded now, of one projection or of all."""
    query = select(projection_failures).order_by(
        projection_failures.c.projection, projection_failures.c.upstream
    )
    if projection is not None:
        query = query.where(projection_failures.c.projection == projection)
    with engine.connect() as conn:
        return [Failure(**row._mapping) for row in conn.execute(query)]


def _row(conn: Connection, projection: str, upstream: str) -> Failure | None:
    row = conn.execute(
        select(projection_failures).where(
            projection_failures.c.projection == projection,
            projection_failures.c.upstream == upstream,
        )
    ).one_or_none()
    return None if row is None else Failure(**row._mapping)
