"""Rebuild speed of a projection against plain SQL doing the same work, in one run.

Goal (issue: projection engine): a full rebuild of a representative projection runs
at >= 20,000 domain events/s on PostgreSQL and at >= 0.5 of a raw baseline that reads
the same rows and writes the same view rows with plain SQL in batches.

Run from the repository root::

    .venv/bin/python scripts/bench_projections.py                       # SQLite
    .venv/bin/python scripts/bench_projections.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python scripts/bench_projections.py --events 100000     # a quick look

One run writes --events domain events of the platform application (API keys issued,
then each rotated four times: one insert and four updates per key) into a fresh store
(a temporary directory, or a throw-away database created on the given server and
dropped at the end), then, alternating for --rounds rounds:

- ours: the platform projection rebuilt from the whole history into empty view tables
  by the project's ProjectionRunner (batches, view change + tracking per transaction);
- raw: plain SQL reading the same notification rows in batches of the same size,
  decoding their JSON and inserting/updating the same rows with executemany.

It prints events/s for both (median over rounds), the ratio, and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from adapters.platform.tables import api_keys, tenants  # noqa: E402
from adapters.projection.tracking import projection_tracking  # noqa: E402
from adapters.settings import Settings  # noqa: E402
from adapters.sql.engines import make_engine  # noqa: E402
from adapters.sql.eventstore import eventstore_env  # noqa: E402
from adapters.sql.schema import create_tables  # noqa: E402
from domain.platform.apikey import ApiKey  # noqa: E402
from domain.platform.application import PlatformApplication  # noqa: E402
from entrypoints.wiring.contexts import build  # noqa: E402

ROTATIONS = 4
WRITE_CHUNK = 10_000


def log(message: str) -> None:
    print(f"[bench_projections] {message}", file=sys.stderr, flush=True)


@contextmanager
def throwaway_database(server_url: str, label: str) -> Iterator[str]:
    name = f"accredit_bench_{label}_{uuid.uuid4().hex[:8]}"
    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_history(app: PlatformApplication, events: int) -> int:
    """Writes about `events` domain events: keys issued, each rotated ROTATIONS times."""
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
    log(f"wrote {written:,} domain events in {time.perf_counter() - started:.1f}s")
    return written


def reset_views(engine: Engine) -> None:
    # Table objects, so the views' schema (accredit_views on PostgreSQL) is named right.
    with engine.begin() as conn:
        for table in (api_keys, tenants, projection_tracking):
            conn.execute(table.delete())


def run_ours(settings: Settings, batch: int) -> float:
    with build(settings) as container:
        reset_views(container.engine)
        runners = container.projection_runners()
        platform_runner = next(r for r in runners if r.name == "platform")
        platform_runner.batch_size = batch
        started = time.perf_counter()
        count = platform_runner.catch_up()
        elapsed = time.perf_counter() - started
    return count / elapsed


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


def events_query(settings: Settings) -> str:
    if settings.database_url is None:
        return (
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
    return (
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM platform_events WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
    )


def raw_rows(settings: Settings, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    query = events_query(settings)
    if settings.database_url is None:
        import sqlite3  # noqa: PLC0415

        conn: Any = sqlite3.connect(settings.data_dir / "platform.events.sqlite")
    else:
        conn = psycopg.connect(settings.database_url)
    try:
        last = 0
        while True:
            rows = conn.execute(query, (last, batch)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield rows
    finally:
        conn.close()


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
    for rows in raw_rows(settings, batch):
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


def measure(settings: Settings, events: int, rounds: int, batch: int) -> dict[str, Any]:
    engine = make_engine(settings)
    create_tables(engine)
    app = PlatformApplication(eventstore_env(settings, PlatformApplication.name))
    written = write_history(app, events)
    app.close()
    ours: list[float] = []
    raw: list[float] = []
    for round_no in range(1, rounds + 1):
        ours.append(run_ours(settings, batch))
        log(f"round {round_no}/{rounds} ours: {ours[-1]:,.0f} events/s")
        raw.append(run_raw(settings, engine, batch))
        log(f"round {round_no}/{rounds} raw:  {raw[-1]:,.0f} events/s")
    engine.dispose()
    ours_median, raw_median = statistics.median(ours), statistics.median(raw)
    return {
        "benchmark": "projection_rebuild_vs_raw_sql",
        "database": "postgresql" if settings.database_url else "sqlite",
        "events": written,
        "batch": batch,
        "rounds": rounds,
        "ours_events_per_s": round(ours_median),
        "raw_events_per_s": round(raw_median),
        "ratio": round(ours_median / raw_median, 3),
        "ours_rounds": [round(x) for x in ours],
        "raw_rounds": [round(x) for x in raw],
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"\nProjection rebuild on {result['database']}: {result['events']:,} domain events, "
        f"batches of {result['batch']}, {result['rounds']} rounds, medians"
    )
    print(f"{'target':34}{'events/s':>12}")
    print("-" * 46)
    print(f"{'platform projection (ours)':34}{result['ours_events_per_s']:>12,}")
    print(f"{'plain SQL baseline (raw)':34}{result['raw_events_per_s']:>12,}")
    print(f"ratio ours/raw: {result['ratio']}")
    print(json.dumps(result, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="accredit-bench-proj-") as tmp:
        settings = Settings(data_dir=Path(tmp), demo_tenant=False)
        run: Callable[[Settings], dict[str, Any]] = lambda s: measure(  # noqa: E731
            s, args.events, args.rounds, args.batch
        )
        if args.database_url is None:
            result = run(settings)
        else:
            with throwaway_database(args.database_url, "proj") as url:
                result = run(replace(settings, database_url=url))
    report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
