"""How many PostgreSQL connections one HTTP worker process holds, under load and at rest.

Budget: with every context wired, one HTTP worker process holds at most 6 connections
at rest (after serving traffic, then idle). Every context means the eight applications
the service is to have: today's, and a stand-in of tests/standins.py for each one to come, each a
real application with its own event table and one command over HTTP, so the load
below reaches eight event stores; nothing is extrapolated.

Run from the repository root::

    .venv/bin/python scripts/connection_budget.py
    .venv/bin/python scripts/connection_budget.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres \\
        --threads 4 --clients 16 --seconds 15 --idle-seconds 1

One run:

1. creates a throw-away database on that server (dropped at the end), a tenant, a key
   that only writes and one that only reads (so no query waits for a projector);
2. starts gunicorn (``--config python:entrypoints.gunicorn_conf``) with one worker of
   --threads threads serving ``tests.standins:create_app()`` on a free 127.0.0.1 port;
3. loads it from loopback clients for --seconds: commands on every context (events,
   API keys, a mark in each stand-in) and queries (tenant, keys, events, readiness),
   sampling the worker's connections every 0.1 s;
4. waits until the worker's connections stop changing, and counts them. The pools close
   one unused connection per ACCREDIT_POOL_IDLE_SECONDS (--idle-seconds, short here so
   rest comes soon; it changes how soon, not how many remain);
5. prints a table and one JSON line, stops the server and removes what it made.

A worker's connections are found by its sockets (Linux /proc), so one opened without
the service's application_name counts too; the names say what each is for. Exit
status: 0 within the budget, 2 over it, 3 if some answers were not 2xx, 1 if it could
not run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import psycopg
from bench_http import (
    HIGH_QUOTA,
    HOST,
    REPO,
    SCRIPTS,
    STARTUP_SECONDS,
    BenchError,
    LoadGenerator,
    Server,
    clean_up,
    free_port,
    log,
    positive_float,
    positive_int,
    postgres_database,
    sigterm_as_interrupt,
)

# The stand-in contexts and the way connections are counted are the integration test's.
sys.path.insert(0, str(REPO))

from entrypoints.wiring.context import application_classes
from tests.pg_connections import held_by, purposes, settled
from tests.standins import EVERY_CONTEXT, STAND_INS, marks_path

BUDGET = 6
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SAMPLE_SECONDS = 0.1
EXIT_FAILED, EXIT_OVER_BUDGET, EXIT_BAD_ANSWERS = 1, 2, 3
EVENT = {
    "name": "Expo 2027",
    "starts_at": "2027-06-01T09:00:00+02:00",
    "ends_at": "2027-06-03T18:00:00+02:00",
    "time_zone": "Europe/Paris",
    "capacity": 500,
}
NEW_KEY = {"name": "budget", "permissions": ["tenant:read"], "tier": "FREE"}
WRITE, READ, NONE = "writer", "reader", "none"


# --------------------------------------------------------------------------- traffic

# (method, path, body, which key): one round of every kind of request, in order.
Request = tuple[str, str, dict[str, Any] | None, str]
ROUND: tuple[Request, ...] = (
    ("POST", "/v1/events", EVENT, WRITE),
    ("POST", "/v1/api-keys", NEW_KEY, WRITE),
    *(("POST", marks_path(name), None, WRITE) for name in STAND_INS),
    ("GET", "/v1/tenant", None, READ),
    ("GET", "/v1/api-keys?limit=10", None, READ),
    ("GET", "/v1/events?limit=10", None, READ),
    ("GET", "/ready", None, NONE),
)


@dataclass(frozen=True)
class MixedTarget:
    """Every request of ROUND in turn, each client starting at its own place."""

    port: int
    secrets: dict[str, str]

    def connect(self) -> MixedCaller:
        return MixedCaller(self)


class MixedCaller:
    failures: ClassVar[tuple[type[Exception], ...]] = (OSError, http.client.HTTPException)

    def __init__(self, target: MixedTarget) -> None:
        self.target = target
        start = uuid.uuid4().int % len(ROUND)
        self.requests = itertools.islice(itertools.cycle(ROUND), start, None)
        self.conn = http.client.HTTPConnection(HOST, target.port, timeout=30)

    def call(self) -> tuple[str, bool]:
        method, path, body, key = next(self.requests)
        headers = {"Content-Type": "application/json"}
        if key != NONE:
            headers["Authorization"] = f"Bearer {self.target.secrets[key]}"
        payload = None if body is None else json.dumps(body).encode()
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        response.read()
        return str(response.status), 200 <= response.status < 300

    def reset(self) -> None:
        self.conn.close()

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------- the server


@dataclass
class Prepared:
    env: dict[str, str]
    database_url: str
    secrets: dict[str, str]


def prepare(stack: contextlib.ExitStack, args: argparse.Namespace) -> Prepared:
    """A throw-away database with every context's tables, a tenant and its two keys."""
    from adapters.settings import Settings  # noqa: PLC0415 - keeps the clients' imports light
    from entrypoints.wiring.container import assemble  # noqa: PLC0415

    data_dir = Path(tempfile.mkdtemp(prefix="accredit-budget-"))
    stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
    database_url = postgres_database(stack, args.database_url)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ACCREDIT_") and key != "PYTHONPATH"
    }
    env.update(
        ACCREDIT_DATABASE_URL=database_url,
        ACCREDIT_DATA_DIR=str(data_dir),
        ACCREDIT_HOST=HOST,
        ACCREDIT_WORKERS="1",
        ACCREDIT_THREADS=str(args.threads),
        ACCREDIT_POOL_IDLE_SECONDS=str(args.idle_seconds),
        # Usage counted under load is written soon after, not in the middle of the rest.
        ACCREDIT_USAGE_FLUSH_SECONDS="1",
        ACCREDIT_RATE_LIMITS=json.dumps({"PREMIUM": HIGH_QUOTA, "FREE": HIGH_QUOTA}),
        ACCREDIT_DEMO_TENANT="0",
        PYTHONPATH=os.pathsep.join([str(REPO), str(SCRIPTS)]),
    )
    with assemble(Settings.from_env(env), EVERY_CONTEXT) as container:
        tenant = container.platform.create_tenant("Budget organiser").aggregate_id
        secrets = {
            name: container.platform.issue_api_key(tenant, name, ["ADMIN"], "PREMIUM").secret
            for name in (WRITE, READ)
        }
        container.catch_up()
    return Prepared(env, database_url, secrets)


def worker_pid(master: int, timeout: float) -> int:
    """The one worker gunicorn forked (Linux: /proc/<pid>/task/<pid>/children)."""
    deadline = time.monotonic() + timeout
    children = Path(f"/proc/{master}/task/{master}/children")
    while time.monotonic() < deadline:
        pids = [int(p) for p in children.read_text().split()]
        if len(pids) == 1:
            return pids[0]
        time.sleep(0.1)
    raise BenchError("gunicorn did not fork exactly one worker")


# --------------------------------------------------------------------------- counting


class Sampler:
    """Counts the worker's connections every SAMPLE_SECONDS; keeps the largest seen."""

    def __init__(self, conninfo: str, pid: int, server_port: int) -> None:
        self.admin = psycopg.connect(conninfo, autocommit=True)
        self.pid = pid
        self.server_port = server_port
        self.peak: Counter[str] = Counter()  # the busiest moment, by purpose
        self.peak_by_purpose: Counter[str] = Counter()  # each purpose's own maximum
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def held(self, pid: int | None = None) -> Counter[str]:
        return held_by(self.admin, self.pid if pid is None else pid, self.server_port)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = Counter(purposes(self.held()))
            if now.total() > self.peak.total():
                self.peak = now
            for purpose, count in now.items():
                self.peak_by_purpose[purpose] = max(self.peak_by_purpose[purpose], count)
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        self.admin.close()


# --------------------------------------------------------------------------- one run


def run(stack: contextlib.ExitStack, args: argparse.Namespace) -> dict[str, Any]:
    prepared = prepare(stack, args)
    logs = Path(tempfile.mkdtemp(prefix="accredit-budget-logs-"))
    stack.callback(shutil.rmtree, logs, ignore_errors=True)
    server = Server(
        name="accredit",
        app="tests.standins:create_app()",
        port=free_port(),
        path="/v1/tenant",
        headers={"Authorization": f"Bearer {prepared.secrets[READ]}"},
        log_path=logs / "gunicorn.log",
    )
    stack.callback(server.stop)
    server.start(prepared.env)
    server.wait_ready(STARTUP_SECONDS)
    assert server.process is not None
    master = server.process.pid
    worker = worker_pid(master, STARTUP_SECONDS)
    server_port = urlsplit(prepared.database_url).port or 5432
    sampler = Sampler(prepared.database_url, worker, server_port)
    stack.callback(sampler.close)
    log(f"gunicorn worker {worker} serves {len(EVERY_CONTEXT)} contexts on :{server.port}")

    load = LoadGenerator(args.clients, args.client_processes)
    stack.callback(load.close)
    target = MixedTarget(server.port, prepared.secrets)
    with sampler:
        tally, elapsed = load.run(target, args.seconds, args.max_requests)
    server.check_alive()
    log(f"load done: {tally.ok} answers in {elapsed:.1f} s; waiting for the worker to rest")
    quiet = max(5.0, 4 * args.idle_seconds)
    started = time.monotonic()
    rest = settled(sampler.held, quiet, SAMPLE_SECONDS, args.rest_timeout)
    rest_seconds = time.monotonic() - started - quiet
    if worker_pid(master, STARTUP_SECONDS) != worker:
        raise BenchError("the worker was replaced during the run; its count would mislead")
    at_rest = sum(rest.values())
    return {
        "benchmark": "connection_budget",
        "budget": BUDGET,
        "at_rest": at_rest,
        "within_budget": at_rest <= BUDGET,
        "at_rest_by_purpose": purposes(rest),
        "peak": sum(sampler.peak.values()),
        "peak_by_purpose": dict(sorted(sampler.peak.items())),
        "max_by_purpose": dict(sorted(sampler.peak_by_purpose.items())),
        "master_at_rest": sum(sampler.held(master).values()),
        "settled_after_seconds": round(max(rest_seconds, 0.0), 1),
        "contexts": [context.name for context in EVERY_CONTEXT],
        "applications": len(application_classes(EVERY_CONTEXT)),
        "threads": args.threads,
        "clients": load.clients,
        "seconds": args.seconds,
        "idle_seconds": args.idle_seconds,
        "requests": tally.ok + tally.errors,
        "errors": tally.errors,
        "statuses": dict(sorted(tally.statuses.items())),
        "rps": round(tally.ok / elapsed, 1),
        "cpus": os.cpu_count(),
    }


def report(summary: dict[str, Any]) -> None:
    print(
        f"\nPostgreSQL connections of one gunicorn worker ({summary['threads']} threads), "
        f"{summary['applications']} applications wired, {summary['clients']} clients for "
        f"{summary['seconds']:g} s ({summary['rps']:,.0f} answers/s, "
        f"{summary['errors']} errors)"
    )
    print(f"{'purpose':<16}{'busiest moment':>16}{'own maximum':>14}{'at rest':>10}")
    print("-" * 56)
    names = sorted(set(summary["peak_by_purpose"]) | set(summary["at_rest_by_purpose"]))
    for name in names:
        print(
            f"{name:<16}{summary['peak_by_purpose'].get(name, 0):>16}"
            f"{summary['max_by_purpose'].get(name, 0):>14}"
            f"{summary['at_rest_by_purpose'].get(name, 0):>10}"
        )
    print("-" * 56)
    print(f"{'total':<16}{summary['peak']:>16}{'':>14}{summary['at_rest']:>10}")
    verdict = "within" if summary["within_budget"] else "OVER"
    print(f"at rest: {summary['at_rest']} ({verdict} the budget of {summary['budget']})")
    print(json.dumps(summary, sort_keys=True))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="PostgreSQL connections of one HTTP worker with every context wired, "
        "under load and at rest.",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="server to use")
    parser.add_argument("--threads", type=positive_int, default=4, help="threads of the worker")
    parser.add_argument("--clients", type=positive_int, default=16, help="concurrent clients")
    parser.add_argument(
        "--client-processes",
        type=positive_int,
        default=max(1, min(4, os.cpu_count() or 1)),
        help="processes the clients are spread over",
    )
    parser.add_argument("--seconds", type=positive_float, default=15.0, help="of load")
    parser.add_argument(
        "--max-requests", type=positive_int, default=2_000_000, help="upper bound on requests"
    )
    parser.add_argument(
        "--idle-seconds",
        type=positive_float,
        default=1.0,
        help="ACCREDIT_POOL_IDLE_SECONDS for the worker (how soon rest comes)",
    )
    parser.add_argument(
        "--rest-timeout", type=positive_float, default=300.0, help="most seconds to wait for rest"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stack = contextlib.ExitStack()
    with sigterm_as_interrupt():
        try:
            summary = run(stack, args)
        except BenchError as exc:
            log(f"failed: {exc}")
            return EXIT_FAILED
        except KeyboardInterrupt:
            log("interrupted; stopping the server and removing temporary data")
            return 130
        finally:
            clean_up(stack)
    report(summary)
    if summary["errors"]:
        log(f"some answers were not successes: {summary['statuses']}")
        return EXIT_BAD_ANSWERS
    return 0 if summary["within_budget"] else EXIT_OVER_BUDGET


if __name__ == "__main__":
    sys.exit(main())
