"""Registrations per second over HTTP against PostgreSQL's own single-row insert rate.

Measures ``POST /v1/events/{event_id}/participants`` (authentication, rate limiting,
the body's schema, the registration rules, and the participant with its e-mail index
committed to the event store) next to the write path's physical limit (DESIGN.md,
"Performance stance"): as many clients, each on its own psycopg connection, inserting
one similar row (a uuid, names, an e-mail, a small JSON payload) per commit into a
plain table of the same database. A second baseline takes the table lock for each
insert, as the event store does so that its log's positions commit in order: that is
the limit of one application's log, which every registration is written to. No goal
ratio is set; the figures are the result.

Run from the repository root::

    .venv/bin/python scripts/bench_registration.py
    .venv/bin/python scripts/bench_registration.py --seconds 10 --rounds 3 --clients 16 \\
        --workers 2 --threads 4 --database-url postgresql://postgres@127.0.0.1:5432/postgres

A throw-away database is created on the server and dropped at the end, also on Ctrl-C
or SIGTERM; nothing else on the server is touched. One run:

1. prepares the database, a tenant with an ADMIN key of the PREMIUM tier (a quota so
   high the limiter counts every request but refuses none), an open managed event with
   the default workflow, and the raw table;
2. starts Accredit under gunicorn on a free 127.0.0.1 port
   (``--config python:entrypoints.gunicorn_conf``) and checks one registration is a 201;
3. warms both up, then loads them from the loopback clients of scripts/bench_http.py,
   alternating raw, ours, raw, ours, ... so machine noise hits both; every registration
   has its own e-mail (a per-thread prefix and a counter), as a duplicate would be a 409;
4. prints registrations/s and inserts/s, p50 and p99 latency (medians over the rounds),
   the ratio ours/raw, a table, and one JSON line at the end.

The machines are shared and noisy: read the ratio, not the absolute figures. The exit
status is non-zero when the benchmark could not run or measured the wrong thing: a
server failed, a registration was not answered 201, or an insert did not add one row.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import shutil
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import psycopg
from bench_http import (
    HIGH_QUOTA,
    HOST,
    STARTUP_SECONDS,
    BenchError,
    Fixture,
    HttpCaller,
    HttpTarget,
    LoadGenerator,
    RoundResult,
    Server,
    add_load_arguments,
    execute,
    free_port,
    log,
    prepare,
    run_rounds,
    run_settings,
    summarise,
)
from psycopg.types.json import Jsonb

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
PROBE_PATH = "/v1/tenant"  # answers 2xx with the key's quota once the server is up
CREATED = 201
RAW_TABLE = """
CREATE TABLE raw_participants (
    participant_id UUID PRIMARY KEY,
    event_id UUID NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    details JSONB NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""
# The event store's own lock: writers of one log commit one at a time.
RAW_LOCK = "LOCK TABLE raw_participants IN EXCLUSIVE MODE"
RAW_INSERT = (
    "INSERT INTO raw_participants (participant_id, event_id, first_name, last_name, email, "
    "details) VALUES (%s, %s, %s, %s, %s, %s)"
)


def person(prefix: str, number: int) -> dict[str, str]:
    """The details both sides write: an e-mail no other request of the run uses."""
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": f"{prefix}.{number}@bench.example.org",
        "organisation": "Analytical Engines",
        "nationality": "GB",
    }


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class RegistrationTarget(HttpTarget):
    """POST of a new participant to the event's collection; only a 201 is a success."""

    def connect(self) -> RegistrationCaller:
        return RegistrationCaller(self)


class RegistrationCaller(HttpCaller):
    def __init__(self, target: HttpTarget) -> None:
        super().__init__(target)
        self.prefix = uuid.uuid4().hex[:12]
        self.numbers = itertools.count()

    def call(self) -> tuple[str, bool]:
        body = json.dumps(person(self.prefix, next(self.numbers))).encode()
        status = self.exchange("POST", body)
        return str(status), status == CREATED


@dataclass(frozen=True)
class InsertTarget:
    """One row per autocommitted INSERT on the client's own connection."""

    conninfo: str
    event_id: uuid.UUID
    serialised: bool = False  # each insert holds the table lock until it commits

    def connect(self) -> InsertCaller:
        return InsertCaller(self)


class InsertCaller:
    failures: ClassVar[tuple[type[Exception], ...]] = (psycopg.Error,)

    def __init__(self, target: InsertTarget) -> None:
        self.target = target
        self.prefix = uuid.uuid4().hex[:12]
        self.numbers = itertools.count()
        self.conn = psycopg.connect(target.conninfo, autocommit=True)

    def call(self) -> tuple[str, bool]:
        details = person(self.prefix, next(self.numbers))
        row = (uuid.uuid4(), self.target.event_id, details["first_name"], details["last_name"])
        values = (*row, details["email"], Jsonb(details))
        if not self.target.serialised:
            cursor = self.conn.execute(RAW_INSERT, values)
            return cursor.statusmessage or "?", cursor.rowcount == 1
        with self.conn.transaction():
            self.conn.execute(RAW_LOCK)
            cursor = self.conn.execute(RAW_INSERT, values)
            return cursor.statusmessage or "?", cursor.rowcount == 1

    def reset(self) -> None:
        if self.conn.closed or self.conn.broken:
            self.conn = psycopg.connect(self.target.conninfo, autocommit=True)

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------- contenders


@dataclass
class Registrations:
    """Accredit's registration endpoint, on its gunicorn server."""

    server: Server
    event_id: uuid.UUID
    secret: str
    name: str = "ours"

    def target(self) -> RegistrationTarget:
        headers = {"Authorization": f"Bearer {self.secret}", "Content-Type": "application/json"}
        path = f"/v1/events/{self.event_id}/participants"
        return RegistrationTarget(self.server.port, path, headers)

    def check_alive(self) -> None:
        self.server.check_alive()

    def check_one(self) -> None:
        """One registration before the rounds, so a wrong setup fails with its answer."""
        target = self.target()
        conn = http.client.HTTPConnection(HOST, target.port, timeout=30)
        try:
            body = json.dumps(person(f"probe-{uuid.uuid4().hex[:12]}", 0))
            conn.request("POST", target.path, body=body, headers=target.headers)
            response = conn.getresponse()
            answer = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            raise BenchError(f"the registration probe failed: {exc}") from exc
        finally:
            conn.close()
        if response.status != CREATED:
            raise BenchError(
                f"POST {target.path} answered {response.status}, not {CREATED}: {answer[:500]}"
                f"\n{self.server.log_tail()}"
            )


@dataclass
class RawInserts:
    """PostgreSQL itself: the same database, one commit per inserted row."""

    conninfo: str
    event_id: uuid.UUID
    name: str = "raw"
    serialised: bool = False

    def target(self) -> InsertTarget:
        return InsertTarget(self.conninfo, self.event_id, self.serialised)

    def check_alive(self) -> None:
        """Nothing of ours serves it; a dead server shows as failed inserts."""


# --------------------------------------------------------------------------- fixture


def open_event(fixture: Fixture) -> uuid.UUID:
    """A managed event of the benchmark's tenant, open for registration."""
    from adapters.settings import Settings  # noqa: PLC0415 - keeps the clients' imports light
    from domain.registration.application import RegistrationApplication  # noqa: PLC0415
    from entrypoints.wiring.contexts import build  # noqa: PLC0415

    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    with build(Settings.from_env(fixture.env)) as container:
        event = container.app(RegistrationApplication).create_event(
            fixture.tenant_id,
            "Benchmark conference",
            starts_at,
            starts_at + timedelta(days=2),
            "UTC",
        )
        container.app(RegistrationApplication).open_registration(
            fixture.tenant_id, event.aggregate_id
        )
        container.catch_up()
    log(f"opened registration for event {event.aggregate_id}")
    return event.aggregate_id


def create_raw_table(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(RAW_TABLE)


def start_server(stack: contextlib.ExitStack, fixture: Fixture, logs: Path) -> Server:
    server = Server(
        name="ours",
        app="entrypoints.http.app:create_app()",
        port=free_port(),
        path=PROBE_PATH,
        headers={"Authorization": f"Bearer {fixture.secret}"},
        log_path=logs / "ours.log",
    )
    stack.callback(server.stop)
    server.start(fixture.env)
    answer = server.wait_ready(STARTUP_SECONDS)
    if answer.getheader("RateLimit-Limit") != str(HIGH_QUOTA):
        raise BenchError("the rate limiter did not answer with the benchmark's PREMIUM quota")
    log(f"server ready on :{server.port}")
    return server


# --------------------------------------------------------------------------- reporting


def report(
    args: argparse.Namespace, load: LoadGenerator, results: dict[str, list[RoundResult]]
) -> dict[str, Any]:
    targets = {name: summarise(rounds) for name, rounds in results.items()}
    raw, serial, ours = targets["raw"], targets["raw_serial"], targets["ours"]
    ratio = ours["rps"] / raw["rps"] if raw["rps"] else float("nan")
    ratio_serial = ours["rps"] / serial["rps"] if serial["rps"] else float("nan")
    per_round = [
        round(o.rps / r.rps, 3) if r.rps else None
        for r, o in zip(results["raw"], results["ours"], strict=True)
    ]
    summary: dict[str, Any] = {
        "benchmark": "http_registration_vs_raw_postgresql_insert",
        "command": "POST /v1/events/{event_id}/participants",
        "baseline": "single-row INSERT, autocommit, one connection per client",
        "database": "postgresql",
        **run_settings(args, load),
        "registrations_per_s": ours["rps"],
        "inserts_per_s": raw["rps"],
        "serialised_inserts_per_s": serial["rps"],
        "ratio_to_serialised": round(ratio_serial, 3),
        "targets": targets,
        "ratio": round(ratio, 3),
        "ratio_per_round": per_round,
    }
    print()
    print(
        f"Registration benchmark on PostgreSQL: {load.clients} clients, "
        f"{args.workers} workers x {args.threads} threads ({summary['worker_class']}), "
        f"{args.rounds} rounds of {args.seconds:g} s, medians"
    )
    header = f"{'target':<40} {'per s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>8}"
    print(header)
    print("-" * len(header))
    labels = {
        "raw": "raw PostgreSQL INSERT (autocommit)",
        "raw_serial": "raw INSERT under the table lock",
        "ours": "Accredit POST .../participants (201)",
    }
    for name in ("raw", "raw_serial", "ours"):
        figures = targets[name]
        print(
            f"{labels[name]:<40} {figures['rps']:>10,.0f} {figures['p50_ms']:>9.2f} "
            f"{figures['p99_ms']:>9.2f} {figures['errors']:>8}"
        )
    print(f"ratio ours/raw throughput: {ratio:.3f}; per round: {per_round}")
    print(f"ratio ours/raw under the table lock: {ratio_serial:.3f}")
    print(json.dumps(summary, sort_keys=True), flush=True)
    return summary


# --------------------------------------------------------------------------- main


def _loopback_postgres(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("postgresql", "postgres"):
        raise argparse.ArgumentTypeError("must be a postgresql:// URL")
    if parts.hostname not in LOOPBACK:
        raise argparse.ArgumentTypeError("must name a server on 127.0.0.1 (loopback only)")
    return text


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Registrations/s over HTTP against raw PostgreSQL inserts/s, one run.",
    )
    add_load_arguments(parser)
    parser.add_argument(
        "--database-url",
        type=_loopback_postgres,
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL server to create a throw-away database on (default: "
        f"{DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the gunicorn log")
    return parser.parse_args(argv)


def run(stack: contextlib.ExitStack, args: argparse.Namespace) -> dict[str, Any]:
    """One whole benchmark; every cleanup goes on the stack, closed by the caller."""
    fixture = prepare(stack, args)
    conninfo = fixture.env["ACCREDIT_DATABASE_URL"]
    event_id = open_event(fixture)
    create_raw_table(conninfo)
    logs = Path(tempfile.mkdtemp(prefix="accredit-bench-logs-"))
    if args.keep_logs:
        log(f"gunicorn log in {logs}")
    else:
        stack.callback(shutil.rmtree, logs, ignore_errors=True)
    ours = Registrations(start_server(stack, fixture, logs), event_id, fixture.secret)
    ours.check_one()
    # Closed before the server stops (the stack unwinds in reverse), so it is not under load.
    load = LoadGenerator(args.clients, args.client_processes)
    stack.callback(load.close)
    contenders = [
        RawInserts(conninfo, event_id),
        RawInserts(conninfo, event_id, "raw_serial", serialised=True),
        ours,
    ]
    results = run_rounds(load, contenders, args)
    return report(args, load, results)


def main(argv: Sequence[str] | None = None) -> int:
    return execute(run, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
