"""Rebuild speed of projections against plain SQL doing the same work, in one run.

Goal (issue: projection engine): a full rebuild of a representative projection runs
at >= 20,000 domain events/s on PostgreSQL and at >= 0.5 of a raw baseline that reads
the same rows and writes the same view rows with plain SQL in batches.

Run from the repository root::

    .venv/bin/python scripts/bench_projections.py                       # SQLite
    .venv/bin/python scripts/bench_projections.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python scripts/bench_projections.py --events 100000     # a quick look
    .venv/bin/python scripts/bench_projections.py --projection registration
    .venv/bin/python scripts/bench_projections.py --projection both

--projection chooses the workload (platform by default), each written into a fresh
store (a temporary directory, or a throw-away database created on the given server
and dropped at the end):

- platform: --events domain events of the platform application (API keys issued,
  then each rotated four times: one insert and four updates per key);
- registration: --registration-events domain events of the registration application
  (managed events, then participants in waves: registered, screened, some renamed or
  withdrawn, then two parallel checks; scripts/projection_bench/registration_history.py).

Then, alternating for --rounds rounds:

- ours: the projection rebuilt from the whole history into empty view tables by the
  project's ProjectionRunner (batches, view change + tracking per transaction);
- raw: plain SQL reading the same notification rows in batches of the same size,
  decoding their JSON and writing the same final rows with executemany into tables
  of the same shape and indexes.

After the last round the rows both wrote are compared (counts by status or version);
a difference stops the run. It prints events/s for both (median over rounds), the
ratio, and one JSON line per projection.
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from projection_bench import (  # noqa: E402
    platform_keys,
    registration_history,
    registration_raw,
)

from adapters.projection.tracking import projection_tracking  # noqa: E402
from adapters.settings import Settings  # noqa: E402
from adapters.sql.engines import make_engine  # noqa: E402
from adapters.sql.schema import create_tables  # noqa: E402
from entrypoints.wiring.contexts import build  # noqa: E402

Log = Callable[[str], None]


@dataclass(frozen=True)
class Workload:
    """A projection's history to write, its plain-SQL baseline, and what both wrote."""

    write: Callable[[Settings, int, Log], int]
    raw: Callable[[Settings, Engine, int], float]
    compare: Callable[[Engine], dict[str, tuple[Any, Any]]]


WORKLOADS = {
    "platform": Workload(platform_keys.write_history, platform_keys.run_raw, platform_keys.compare),
    "registration": Workload(
        registration_history.write_history, registration_raw.run_raw, registration_raw.compare
    ),
}


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


def run_ours(settings: Settings, name: str, batch: int) -> float:
    """Rebuilds the projection from the whole history into its emptied tables."""
    with build(settings) as container:
        projection = next(p for p in container.sql_projections() if p.name == name)
        with container.engine.begin() as conn:
            for table in projection.tables:
                conn.execute(table.delete())
            conn.execute(
                projection_tracking.delete().where(projection_tracking.c.projection == name)
            )
        projection.batch_size = batch
        runner = projection.runner()
        started = time.perf_counter()
        count = runner.catch_up()
        elapsed = time.perf_counter() - started
    return count / elapsed


def measure(settings: Settings, name: str, events: int, rounds: int, batch: int) -> dict[str, Any]:
    workload = WORKLOADS[name]
    engine = make_engine(settings)
    create_tables(engine)
    written = workload.write(settings, events, log)
    ours: list[float] = []
    raw: list[float] = []
    for round_no in range(1, rounds + 1):
        ours.append(run_ours(settings, name, batch))
        log(f"{name} round {round_no}/{rounds} ours: {ours[-1]:,.0f} events/s")
        raw.append(workload.raw(settings, engine, batch))
        log(f"{name} round {round_no}/{rounds} raw:  {raw[-1]:,.0f} events/s")
    compared = workload.compare(engine)
    engine.dispose()
    differ = {k: v for k, v in compared.items() if v[0] != v[1]}
    if differ:
        raise SystemExit(f"the baseline did not write what the projection did: {differ}")
    log(f"{name}: both wrote the same rows ({', '.join(compared)})")
    ours_median, raw_median = statistics.median(ours), statistics.median(raw)
    return {
        "benchmark": "projection_rebuild_vs_raw_sql",
        "projection": name,
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
        f"\n{result['projection'].capitalize()} projection rebuild on {result['database']}: "
        f"{result['events']:,} domain events, batches of {result['batch']}, "
        f"{result['rounds']} rounds, medians"
    )
    print(f"{'target':34}{'events/s':>12}")
    print("-" * 46)
    print(f"{result['projection'] + ' projection (ours)':34}{result['ours_events_per_s']:>12,}")
    print(f"{'plain SQL baseline (raw)':34}{result['raw_events_per_s']:>12,}")
    print(f"ratio ours/raw: {result['ratio']}")
    print(json.dumps(result, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projection", choices=[*WORKLOADS, "both"], default="platform")
    parser.add_argument("--events", type=int, default=1_000_000, help="platform history")
    parser.add_argument(
        "--registration-events", type=int, default=200_000, help="registration history"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    names = list(WORKLOADS) if args.projection == "both" else [args.projection]
    sizes = {"platform": args.events, "registration": args.registration_events}
    for name in names:
        # Each workload in a store of its own: one's history is no part of the other's run.
        with tempfile.TemporaryDirectory(prefix="accredit-bench-proj-") as tmp:
            settings = Settings(data_dir=Path(tmp), demo_tenant=False)
            if args.database_url is None:
                result = measure(settings, name, sizes[name], args.rounds, args.batch)
            else:
                with throwaway_database(args.database_url, "proj") as url:
                    pg = replace(settings, database_url=url)
                    result = measure(pg, name, sizes[name], args.rounds, args.batch)
        report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
