"""On SQLite, a long write to the projection tables never holds up the service's own writes."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from sqlalchemy import text

from adapters.settings import Settings
from adapters.sql.engines import SQLITE_FILE
from adapters.sql.transactions import write_transaction
from entrypoints.wiring.contexts import build


def test_rate_limits_and_idempotency_write_while_the_views_are_locked(
    sqlite_settings: Settings,
) -> None:
    with build(sqlite_settings) as container:
        # A projection swap holds the views' write lock for as long as it copies rows.
        with write_transaction(container.engine) as views:
            views.execute(text("SELECT 1"))
            # In the views' file these writes would wait out the busy timeout, then fail
            # with "database is locked" while the lock is held: they succeed instead.
            decision = container.rate_limiter.hit("key:swap", limit=5)
            claim = container.idempotency.claim("scope", "key-1", "fingerprint")
            # The lock was real all along: another writer of the views is refused at once.
            other = sqlite3.connect(sqlite_settings.data_dir / SQLITE_FILE, timeout=0)
            with contextlib.closing(other), pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")

        assert decision.allowed
        assert claim.outcome.value == "new"


def test_the_service_tables_live_in_their_own_file(sqlite_settings: Settings) -> None:
    with build(sqlite_settings) as container:
        with container.service_engine.connect() as conn:
            service = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
            )
        with container.engine.connect() as conn:
            views = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
            )
    assert {"rate_limit_counters", "idempotency_keys"} <= service
    assert not service & {"tenants", "api_keys", "projection_tracking"}
    assert {"tenants", "api_keys", "projection_tracking", "api_key_usage"} <= views
    assert not views & {"rate_limit_counters", "idempotency_keys"}
