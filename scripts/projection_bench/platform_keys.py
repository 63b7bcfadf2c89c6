"""The platform workload: API keys issued, each rotated; plain SQL writing the same key rows."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, text

from adapters.platform.tables import api_keys
from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.platform.apikey import ApiKey
from domain.platform.application import PlatformApplication
from projection_bench.log_rows import log_rows

ROTATIONS = 4
WRITE_CHUNK = 10_000


def write_history(settings: Settings, events: int, log: Callable[[str], None]) -> int:
    """Writes about `events` domain events: keys issued, each rotated ROTATIONS times."""
    pending: list[Any]
    app = PlatformApplication(eventstore_env(settings, PlatformApplication.name))
    tenant = app.create_tenant("Benchmark organiser").aggregate_id
    now = datetime.now(UTC)
    written, pending = 1, []
    started = time.perf_counter()
    while written < events:
        key = ApiKey.issue(
            key_id=uuid.uuid4(),
            tenant_id=tenant,
            name="gate",
            permissions=["check-in:scan"],
            tier="STANDARD",
            expires_at=None,
            secret_digest=uuid.uuid4().hex,
            now=now,
        )
        for _ in range(ROTATIONS):
            key.rotate(uuid.uuid4().hex, timedelta(hours=1), now)
        pending.extend(key.collect_events())
        if len(pending) >= WRITE_CHUNK:
            app.events.put(pending)
            written += len(pending)
            pending = []
    if pending:
        app.events.put(pending)
        written += len(pending)
    app.close()
    log(f"wrote {written:,} domain events in {time.perf_counter() - started:.1f}s")
    return written


RAW_TABLES = """
CREATE TABLE IF NOT EXISTS raw_api_keys (
    key_id VARCHAR(36) PRIMARY KEY, tenant_id VARCHAR(36) NOT NULL, name VARCHAR(200),
    permissions TEXT, tier VARCHAR(20), status VARCHAR(20), expires_at VARCHAR(40),
    created_at VARCHAR(40), rotated_at VARCHAR(40), version INTEGER
)
"""
# The same secondary index as the projection's api_keys table: the same rows, the same upkeep.
RAW_INDEX = (
    "CREATE INDEX IF NOT EXISTS raw_api_keys_by_tenant "
    "ON raw_api_keys (tenant_id, created_at, key_id)"
)


def run_raw(settings: Settings, engine: Engine, batch: int) -> float:
    """Plain SQL: same rows in, same view rows out, in batches, one transaction each."""
    with engine.begin() as conn:
        conn.execute(text(RAW_TABLES))
        conn.execute(text(RAW_INDEX))
        conn.execute(text("DELETE FROM raw_api_keys"))
    insert = text(
        "INSERT INTO raw_api_keys (key_id, tenant_id, name, permissions, tier, status, "
        "expires_at, created_at, rotated_at, version) VALUES (:key_id, :tenant_id, :name, "
        ":permissions, :tier, 'active', :expires_at, :created_at, :rotated_at, :version)"
    )
    update = text(
        "UPDATE raw_api_keys SET rotated_at = :rotated_at, version = :version "
        "WHERE key_id = :key_id"
    )
    started = time.perf_counter()
    count = 0
    for rows in log_rows(settings, PlatformApplication.name, batch):
        # Done well, as the projection does: one final row per key per batch, so a key
        # issued and rotated within a batch is one insert, older keys one update each.
        inserts: dict[str, dict[str, Any]] = {}
        updates: dict[str, dict[str, Any]] = {}
        for _, originator_id, version, topic, state in rows:
            payload = json.loads(bytes(state))
            key_id = str(originator_id)
            if topic.endswith("ApiKey.Issued"):
                inserts[key_id] = {
                    "key_id": key_id,
                    "tenant_id": payload["tenant_id"]["_data_"],
                    "name": payload["name"],
                    "permissions": json.dumps(payload["permissions"]),
                    "tier": payload["tier"],
                    "expires_at": None,
                    "created_at": payload["timestamp"]["_data_"],
                    "rotated_at": None,
                    "version": version,
                }
            elif topic.endswith("ApiKey.Rotated"):
                change = {"rotated_at": payload["rotated_at"]["_data_"], "version": version}
                if key_id in inserts:
                    inserts[key_id].update(change)
                else:
                    updates[key_id] = {"key_id": key_id, **change}
        with engine.begin() as conn:
            if inserts:
                conn.execute(insert, list(inserts.values()))
            if updates:
                conn.execute(update, list(updates.values()))
        count += len(rows)
    return count / (time.perf_counter() - started)


def compare(engine: Engine) -> dict[str, tuple[Any, Any]]:
    """What ours and the baseline wrote, side by side: keys by version."""
    with engine.connect() as conn:
        ours = conn.execute(
            select(api_keys.c.version, func.count()).group_by(api_keys.c.version)
        ).all()
        raw = conn.execute(text("SELECT version, count(*) FROM raw_api_keys GROUP BY version"))
        return {"keys by version": (sorted(map(tuple, ours)), sorted(map(tuple, raw)))}
