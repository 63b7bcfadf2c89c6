"""How long a full rescan of duplicates takes: their projection rebuilt over many registrations.

Goal: a rescan of 100,000 participants in under 30 s. Run from the repository root::

    .venv/bin/python scripts/bench_rescan.py                         # 100,000, SQLite
    .venv/bin/python scripts/bench_rescan.py --participants 20000    # a quick look
    .venv/bin/python scripts/bench_rescan.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

It writes the registration history straight into the registration application's
log (--participants registrations of one tenant over two managed events, people
drawn as scripts/bench_screening.py draws them; one in --planted-every a corrupted
copy of someone registered before), in a fresh store: a temporary directory, or a
throw-away database created on the given server and dropped at the end. Then it
times, alternately for --rounds rounds, a rebuild from the whole history into
emptied tables (the projection runner, batches of --batch) of:

- duplicates: the rescan itself (keys, blocks, counts, scoring, pairs);
- registration: the registration projection over the same history, the baseline.

It prints the median seconds of both (wall clock, and this process's CPU time),
their ratio, how many pairs the rescan raised and how many of the planted copies
were among them, and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_projections import throwaway_database  # noqa: E402
from bench_screening import People  # noqa: E402

from adapters.projection.tracking import projection_tracking  # noqa: E402
from adapters.screening.duplicate_tables import duplicate_candidates  # noqa: E402
from adapters.settings import Settings  # noqa: E402
from adapters.sql.eventstore import eventstore_env  # noqa: E402
from domain.registration.application import RegistrationApplication  # noqa: E402
from domain.registration.participant import Participant  # noqa: E402
from domain.registration.workflow.record import EMPTY_RUN, changes_between  # noqa: E402
from domain.registration.workflow.run import start as start_run  # noqa: E402
from domain.shared.cause import Cause, stamp  # noqa: E402
from entrypoints.wiring.contexts import build  # noqa: E402

WRITE_CHUNK = 2_000  # domain events per put (see projection_bench.registration_history)


def log(message: str) -> None:
    print(f"[bench_rescan] {message}", file=sys.stderr, flush=True)


def write_history(
    settings: Settings, participants: int, planted_every: int, seed: int
) -> list[tuple[UUID, UUID]]:
    """Registers the participants; returns the (original, copy) pairs planted."""
    app = RegistrationApplication(eventstore_env(settings, RegistrationApplication.name))
    try:
        started = time.perf_counter()
        tenant = uuid4()
        begins = datetime(2031, 6, 1, 9, tzinfo=UTC)
        managed = []
        for n in range(2):
            event_id = app.create_event(
                tenant, f"Expo {n}", begins, begins + timedelta(days=2), "UTC"
            ).aggregate_id
            app.open_registration(tenant, event_id)
            event = app.event(tenant, event_id)
            version = event.workflow_version
            managed.append((event_id, version, event.workflow(version)))
        people = People(seed)
        rng = random.Random(seed + 1)
        cause = Cause("bench", uuid4().hex)
        earlier: list[tuple[UUID, dict[str, Any]]] = []
        planted: list[tuple[UUID, UUID]] = []
        pending: list[Any] = []
        for number in range(participants):
            source = rng.choice(earlier) if earlier and number % planted_every == 0 else None
            record = people.variant(source[1]) if source else people.record()
            event_id, version, definition = managed[number % 2]
            participant = Participant(
                tenant_id=tenant,
                event_id=event_id,
                category=None,
                details=record,
                workflow_version=version,
                workflow=changes_between(EMPTY_RUN, start_run(definition)),
            )
            if source is not None:
                planted.append((source[0], participant.id))
            elif number % 20 == 0:
                earlier.append((participant.id, record))
            for domain_event in participant.collect_events():
                stamp(domain_event, cause, tenant)
                pending.append(domain_event)
            if len(pending) >= WRITE_CHUNK or number == participants - 1:
                app.events.put(pending)
                pending = []
        log(f"wrote {participants:,} registrations in {time.perf_counter() - started:.1f}s")
        return planted
    finally:
        app.close()


def rebuild(settings: Settings, name: str, batch: int) -> tuple[float, float]:
    """Seconds to rebuild the projection from the whole history into its emptied tables.

    Wall-clock seconds, and this process's CPU seconds (on a shared machine the first
    counts the others' load too; on SQLite the second is nearly all the work).
    """
    with build(settings) as container:
        projection = next(p for p in container.sql_projections() if p.name == name)
        with container.engine.begin() as conn:
            for table in projection.tables:
                conn.execute(table.delete())
            conn.execute(
                projection_tracking.delete().where(projection_tracking.c.projection == name)
            )
        projection.batch_size = batch
        started, cpu = time.perf_counter(), time.process_time()
        projection.runner().catch_up()
        return time.perf_counter() - started, time.process_time() - cpu


def measure(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    with build(settings):
        pass  # creates the store and its tables
    planted = write_history(settings, args.participants, args.planted_every, args.seed)
    timings: dict[str, list[float]] = {"duplicates": [], "registration": []}
    cpu: dict[str, list[float]] = {"duplicates": [], "registration": []}
    for round_no in range(1, args.rounds + 1):
        for name, taken in timings.items():
            wall, used = rebuild(settings, name, args.batch)
            taken.append(wall)
            cpu[name].append(used)
            log(f"round {round_no}/{args.rounds} {name}: {wall:.1f}s ({used:.1f}s CPU)")
    with build(settings) as container, container.engine.connect() as conn:
        pairs = {
            frozenset(row)
            for row in conn.execute(
                select(duplicate_candidates.c.participant_a, duplicate_candidates.c.participant_b)
            )
        }
        counted = conn.execute(select(func.count()).select_from(duplicate_candidates)).scalar()
    found = sum(frozenset(p) in pairs for p in planted)
    duplicates = statistics.median(timings["duplicates"])
    registration = statistics.median(timings["registration"])
    return {
        "benchmark": "duplicates_rescan",
        "backend": "postgresql" if settings.database_url else "sqlite",
        "participants": args.participants,
        "batch": args.batch,
        "rounds": args.rounds,
        "duplicates_seconds": round(duplicates, 2),
        "registration_seconds": round(registration, 2),
        "ratio": round(duplicates / registration, 2),
        "duplicates_cpu_seconds": round(statistics.median(cpu["duplicates"]), 2),
        "registration_cpu_seconds": round(statistics.median(cpu["registration"]), 2),
        "participants_per_s": round(args.participants / duplicates),
        "pairs": counted,
        "planted": len(planted),
        "planted_found": found,
        "duplicates_rounds": [round(x, 2) for x in timings["duplicates"]],
        "registration_rounds": [round(x, 2) for x in timings["registration"]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--planted-every", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="accredit-bench-rescan-") as tmp:
        settings = Settings(data_dir=Path(tmp), demo_tenant=False)
        if args.database_url is None:
            result = measure(settings, args)
        else:
            with throwaway_database(args.database_url, "rescan") as url:
                result = measure(replace(settings, database_url=url), args)
    print(
        f"rescan of {result['participants']:,} participants on {result['backend']} "
        f"(batches of {result['batch']}, median of {result['rounds']}):"
    )
    print(
        f"  duplicates   {result['duplicates_seconds']:8.1f} s "
        f"({result['duplicates_cpu_seconds']:.1f} s CPU of this process)"
    )
    print(
        f"  registration {result['registration_seconds']:8.1f} s "
        f"({result['registration_cpu_seconds']:.1f} s CPU, baseline)"
    )
    print(f"  ratio {result['ratio']}x; {result['participants_per_s']:,} participants/s")
    print(
        f"  pairs raised {result['pairs']:,}; planted copies found "
        f"{result['planted_found']} of {result['planted']}"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
