"""What an approval costs as an event fills: at many seats taken against at none, in one run.

The seat ledger of an event is loaded (and copied) by every approval, and snapshotted
every 100 of its domain events; it keeps counts, so an approval should cost the same
whether 50,000 seats are taken or none.

Run from the repository root::

    .venv/bin/python scripts/bench_approvals.py                      # SQLite
    .venv/bin/python scripts/bench_approvals.py --seats 50000 --approvals 300
    .venv/bin/python scripts/bench_approvals.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

It creates two events of one tenant, fills the first one's ledger with --seats seats
(recorded straight on the ledger, in saves of 1,000), registers --approvals
participants at each event, then approves them alternating between the two events,
timing each approval (complete_step through the application, as the HTTP API does).
It prints the median and p90 per event, the ratio full/empty, and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from adapters.settings import Settings  # noqa: E402
from adapters.sql.eventstore import eventstore_env  # noqa: E402
from domain.registration.application import RegistrationApplication  # noqa: E402
from domain.registration.seats import SeatLedger, ledger_id  # noqa: E402

START = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


def fill(app: RegistrationApplication, event_id: uuid.UUID, seats: int) -> None:
    """Takes seats on the event's ledger directly: the history of a full event, fast."""
    done = 0
    while done < seats:
        ledger = app.repository.get(ledger_id(event_id))
        assert isinstance(ledger, SeatLedger)
        for _ in range(min(1000, seats - done)):
            ledger.take(uuid.uuid4(), None)
        done += len(ledger.pending_events)
        app.save(ledger)


def registered(
    app: RegistrationApplication, tenant: uuid.UUID, event_id: uuid.UUID, n: int
) -> list[uuid.UUID]:
    return [
        app.register(
            tenant,
            event_id,
            {"first_name": "Bench", "last_name": f"P{i}", "email": f"p{i}-{event_id}@example.org"},
        ).aggregate_id
        for i in range(n)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=50_000)
    parser.add_argument("--approvals", type=int, default=200)
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to create a throw-away database on"
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="accredit-approvals-"))
    database_url, dropped = None, None
    if args.database_url:
        name = f"accredit_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.database_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        database_url = urlsplit(args.database_url)._replace(path=f"/{name}").geturl()
        dropped = name
    try:
        settings = Settings(database_url=database_url, data_dir=data_dir, demo_tenant=False)
        app = RegistrationApplication(eventstore_env(settings, RegistrationApplication.name))
        tenant = uuid.uuid4()
        events = {}
        for label in ("full", "empty"):
            ack = app.create_event(
                tenant, f"Bench {label}", START, START + timedelta(hours=8), "UTC"
            )
            app.open_registration(tenant, ack.aggregate_id)
            events[label] = ack.aggregate_id
        filling = time.perf_counter()
        fill(app, events["full"], args.seats)
        print(
            f"filled {args.seats} seats in {time.perf_counter() - filling:.1f} s", file=sys.stderr
        )
        people = {label: registered(app, tenant, e, args.approvals) for label, e in events.items()}
        timings: dict[str, list[float]] = {"full": [], "empty": []}
        for i in range(args.approvals):
            for label in ("full", "empty"):
                began = time.perf_counter()
                app.complete_step(tenant, people[label][i], "approval", "approved")
                timings[label].append((time.perf_counter() - began) * 1000)
        app.close()
    finally:
        if dropped is not None:
            with psycopg.connect(args.database_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)')
    result = {
        "seats": args.seats,
        "approvals": args.approvals,
        "store": "postgresql" if database_url else "sqlite",
    }
    for label, values in timings.items():
        values.sort()
        result[f"{label}_p50_ms"] = round(statistics.median(values), 3)
        result[f"{label}_p90_ms"] = round(values[int(len(values) * 0.9)], 3)
        taken = args.seats if label == "full" else 0
        p50, p90 = result[f"{label}_p50_ms"], result[f"{label}_p90_ms"]
        print(f"{label:6} ({taken} seats taken): p50 {p50} ms, p90 {p90} ms")
    result["ratio_full_to_empty"] = round(result["full_p50_ms"] / result["empty_p50_ms"], 3)
    print(f"full/empty p50 ratio: {result['ratio_full_to_empty']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
