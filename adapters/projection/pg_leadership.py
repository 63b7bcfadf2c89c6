"""Leading a projection on PostgreSQL: a session-level advisory lock on a connection of its own.

The lock belongs to the session, not to a transaction, so it is held for as long
as the leader's connection lives; when the leader's process dies, the server ends
its session and the lock is free for a runner standing by. The session names its
process in `application_name`, so any process can tell who leads from `pg_locks`.
Keepalives on both sides make a vanished host's session end within about half a
minute rather than the system's default two hours.
"""

from __future__ import annotations

import logging
import time
import zlib
from typing import Any

import psycopg
from sqlalchemy import Engine, text

from adapters.projection.leader import Leader, describe, parse, this_process

log = logging.getLogger(__name__)

# The first half of every leader lock's key; the second names the projection version.
LEADER_LOCK_CLASS = 0x6C656164  # "lead"
# How long a leader trusts its session before asking the server again.
CHECK_SECONDS = 1.0
_SERVER_KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5"

_LEADER_QUERY = text(
    "SELECT a.application_name FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND l.classid = CAST(:classid AS bigint)::oid AND l.objid = CAST(:objid AS bigint)::oid"
)


def lock_key(name: str, version: int) -> tuple[int, int]:
    """The two halves of the lock's key: stable across processes, hosts and releases."""
    digest = zlib.crc32(f"{name}:{version}".encode())
    # pg_try_advisory_lock(int4, int4) takes signed halves.
    return LEADER_LOCK_CLASS, digest - 2**32 if digest >= 2**31 else digest


def conninfo_of(engine: Engine) -> str:
    """What psycopg needs to open a connection of its own to the engine's database."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresLeadership:
    """Leads while a session of its own holds the projection version's advisory lock."""

    def __init__(self, conninfo: str, name: str, version: int) -> None:
        self.conninfo = conninfo
        self.key = lock_key(name, version)
        self._conn: psycopg.Connection[Any] | None = None
        self._leads = False
        self._checked_at = 0.0

    def try_lead(self) -> bool:
        if self._leads:
            return self.leading()
        try:
            conn = self._connection()
            row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", self.key).fetchone()
        except psycopg.Error as exc:
            log.warning("cannot reach PostgreSQL to take the lead: %s", exc)
            self._disconnect()
            return False
        self._leads = bool(row and row[0])
        self._checked_at = time.monotonic()
        return self._leads

    def leading(self) -> bool:
        if not self._leads or self._conn is None:
            return False
        now = time.monotonic()
        if now - self._checked_at < CHECK_SECONDS:
            return True
        try:
            # The session is alive, so its lock is still held: locks go only with it.
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            log.warning("lost the session that holds the lead")
            self._disconnect()
            return False
        self._checked_at = now
        return True

    def step_down(self) -> None:
        if self._leads and self._conn is not None:
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s, %s)", self.key)
            except psycopg.Error:
                self._disconnect()
        self._leads = False

    def close(self) -> None:
        self.step_down()
        self._disconnect()

    def _connection(self) -> psycopg.Connection[Any]:
        # A standby keeps its connection between attempts: taking over needs no new one.
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                self.conninfo,
                autocommit=True,
                connect_timeout=5,
                application_name=describe(this_process()),
                options=_SERVER_KEEPALIVES,
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
            )
        return self._conn

    def _disconnect(self) -> None:
        self._leads = False
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def postgres_leader(engine: Engine, name: str, version: int) -> Leader | None:
    """The process whose session holds the projection version's lock, if any does."""
    classid, objid = lock_key(name, version)
    with engine.connect() as conn:
        row = conn.execute(
            _LEADER_QUERY, {"classid": classid, "objid": objid % 2**32}
        ).one_or_none()
    if row is None:
        return None
    # The server hides another role's application name; that session still leads.
    note = row.application_name or ""
    return parse(note) or Leader(note or "unknown", 0)
