"""Waitlist promotion latency over HTTP: from a cancelled seat to the next entry's visible offer.

An event of capacity C (--capacity) is full of C approved participants, and N more
registrations (--waiting) wait on its waitlist. For each of --promotions rounds, the
benchmark cancels one approved participant (``POST /v1/participants/{id}/cancel``: the
freed seat is offered to the next entry in the same save), then polls the entry that is
next in registration order (``GET /v1/events/{id}/waitlist/entries/{entry_id}``, every
~5 ms, bounded at 10 s) with ANOTHER key of the tenant, until it shows ``offered``: that
is the ``waitlists`` projection's real lag, without the wait for a key's own writes.
A second, shorter series (--same-key-promotions) polls with the key that cancelled,
whose reads wait for its own last write. Interleaved with the cancels, a plain
registration into a second, unlimited event of the same tenant is timed as the
baseline of a command's own latency.

Run from the repository root::

    .venv/bin/python scripts/bench_waitlist.py                           # both stores
    .venv/bin/python scripts/bench_waitlist.py --store sqlite --waiting 500 --promotions 50
    .venv/bin/python scripts/bench_waitlist.py --store postgresql \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

Per store (SQLite in a temporary data dir; PostgreSQL in a throw-away database, created
and dropped): the tenant, its two ADMIN keys, both events and every participant are made
through the applications, in this process, BEFORE the server starts (each waitlisted
registration copies the whole waitlist, so filling over HTTP adds nothing but time);
then ``accredit serve`` (gunicorn, the projector and the waitlist worker) runs on a free
127.0.0.1 port, and every measured request goes over HTTP. The server, the temporary
data and the database are removed at the end, also on Ctrl-C or SIGTERM.

Prints p50 and p99 of the promotion latency, of the cancel command and of the baseline
registration, per store, as a table and one JSON line at the end. The exit status is 1
when the benchmark could not run, 3 when a command was not answered as expected, and 4
when a promotion was not seen within the bound or an offer went to another entry than
the next in order; missing the goal (promotion p99 under 1 s) is a result, not a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_http import (
    STARTUP_SECONDS,
    BenchError,
    Fixture,
    _percentile,
    clean_up,
    execute,
    free_port,
    log,
    positive_float,
    positive_int,
    prepare,
)
from bench_scans import ServeServer, _loopback_postgres
from scan_bench.fixture import Api

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STORES = ("sqlite", "postgresql")
PROBE_PATH = "/v1/tenant"
GOAL_P99_MS = 1000.0
EXIT_PROMOTIONS = 4
SERIES = ("promotion", "promotion_same_key", "cancel", "baseline_registration")
LABELS = {
    "promotion": "promotion, other key (cancel answer -> offer seen)",
    "promotion_same_key": "promotion, same key (reads own writes)",
    "cancel": "POST .../cancel (the command)",
    "baseline_registration": "POST .../participants, unlimited event",
}


# --------------------------------------------------------------------------- figures


def figures(samples_ms: Sequence[float]) -> dict[str, Any]:
    """Count, p50 and p99 (nearest rank) of some latencies in milliseconds."""
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "p50_ms": round(_percentile(ordered, 0.50), 3),
        "p99_ms": round(_percentile(ordered, 0.99), 3),
    }


def wrong_offers(expected: Sequence[str], offered: Sequence[str]) -> list[str]:
    """What differs between the entries that should hold offers (the first ones to register)
    and those that do: an empty list when the seats went in order."""
    problems = [f"entry {e} has no offer" for e in expected if e not in set(offered)]
    problems += [f"entry {o} has an offer out of turn" for o in offered if o not in set(expected)]
    return problems


@dataclass
class StoreRun:
    """What one store's run measured."""

    store: str
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SERIES})
    unseen: list[str] = field(default_factory=list)  # entries whose offer never showed
    wrong: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # unexpected answers, by request
    setup_seconds: float = 0.0  # filling the store, before the server starts

    def summary(self) -> dict[str, Any]:
        series = {name: figures(self.latencies_ms[name]) for name in SERIES}
        p99 = series["promotion"]["p99_ms"]
        return {
            "store": self.store,
            **series,
            "unseen_promotions": len(self.unseen),
            "wrong_offers": self.wrong,
            "unexpected_answers": self.statuses,
            "setup_seconds": round(self.setup_seconds, 1),
            "meets_goal": p99 == p99 and p99 < GOAL_P99_MS and not self.unseen,
        }


def table(summaries: Sequence[dict[str, Any]]) -> str:
    """The per-store table the run prints."""
    header = f"{'store':<11} {'series':<52} {'n':>5} {'p50 ms':>9} {'p99 ms':>9}"
    lines = [header, "-" * len(header)]
    for summary in summaries:
        for name in SERIES:
            f = summary[name]
            lines.append(
                f"{summary['store']:<11} {LABELS[name]:<52} {f['n']:>5} "
                f"{f['p50_ms']:>9.2f} {f['p99_ms']:>9.2f}"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- set-up


@dataclass(frozen=True)
class Scene:
    """The data made before the server starts."""

    fixture: Fixture
    reader_secret: str
    event_id: uuid.UUID  # capacity C, full, with its waitlist
    open_event_id: uuid.UUID  # no limit: the baseline registrations' event
    seated: list[uuid.UUID]  # approved participants, cancelled one per promotion
    entries: list[uuid.UUID]  # waitlist entries, in registration order
    seconds: float  # the set-up took


def _person(prefix: str, n: int) -> dict[str, str]:
    return {"first_name": "Wait", "last_name": f"Lister {n}", "email": f"{prefix}{n}@bench.org"}


def set_up(stack: contextlib.ExitStack, args: argparse.Namespace) -> Scene:
    """The store, a tenant, two keys, the full event with its waitlist, the open event."""
    from adapters.settings import Settings  # noqa: PLC0415 - keeps the module light to test
    from domain.waitlists.application import WaitlistedRegistration  # noqa: PLC0415
    from entrypoints.wiring.contexts import build  # noqa: PLC0415

    fixture = prepare(stack, args)
    began = time.monotonic()
    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    ends_at = starts_at + timedelta(days=1)
    with build(Settings.from_env(fixture.env)) as container:
        tenant = fixture.tenant_id
        reader = container.platform.issue_api_key(tenant, "poller", ["ADMIN"], "PREMIUM")
        app = container.app(WaitlistedRegistration)
        event_id = app.create_event(
            tenant, "Full house", starts_at, ends_at, "UTC", capacity=args.capacity
        ).aggregate_id
        app.open_registration(tenant, event_id)
        open_event_id = app.create_event(
            tenant, "Open house", starts_at, ends_at, "UTC"
        ).aggregate_id
        app.open_registration(tenant, open_event_id)
        seated = []
        for n in range(args.capacity):
            participant = app.register(tenant, event_id, _person("s", n), may_wait=True)
            app.complete_step(tenant, participant.aggregate_id, "approval", "approved")
            seated.append(participant.aggregate_id)
        log(f"{args.capacity} approved participants fill event {event_id}")
        entries = []
        for n in range(args.waiting):
            waiting = app.register(tenant, event_id, _person("w", n), may_wait=True).aggregate
            if waiting.waitlist_entry is None:
                raise BenchError(f"registration {n} into the full event did not wait")
            entries.append(waiting.waitlist_entry)
            if (n + 1) % 500 == 0:
                log(f"{n + 1:,}/{args.waiting:,} waiting ({time.monotonic() - began:.0f} s)")
        container.catch_up()
    seconds = time.monotonic() - began
    log(f"set-up done in {seconds:.0f} s")
    return Scene(fixture, reader.secret, event_id, open_event_id, seated, entries, seconds)


def start_server(stack: contextlib.ExitStack, fixture: Fixture, logs: Path) -> ServeServer:
    server = ServeServer(
        name="accredit serve",
        app="accredit serve",
        port=free_port(),
        path=PROBE_PATH,
        headers={"Authorization": f"Bearer {fixture.secret}"},
        log_path=logs / f"serve-{fixture.database}.log",
    )
    stack.callback(server.stop)
    server.start(fixture.env)
    server.wait_ready(STARTUP_SECONDS)
    log(f"accredit serve ready on :{server.port}")
    return server


# --------------------------------------------------------------------------- measuring


class Promotions:
    """Cancels, baseline registrations and offer polls against one running server."""

    def __init__(self, server: ServeServer, scene: Scene, args: argparse.Namespace) -> None:
        self.server = server
        self.scene = scene
        self.args = args
        self.writer = Api(server.port, scene.fixture.secret)
        self.reader = Api(server.port, scene.reader_secret)
        self.result = StoreRun(scene.fixture.database)
        self.baseline_numbers = iter(range(10**9))

    def _unexpected(self, what: str, status: int, body: Any) -> None:
        key = f"{what} {status}"
        self.result.statuses[key] = self.result.statuses.get(key, 0) + 1
        if self.result.statuses[key] == 1:
            log(f"{what} answered {status}: {body!r:.300}")

    def baseline(self) -> None:
        path = f"/v1/events/{self.scene.open_event_id}/participants"
        body = _person(f"b{uuid.uuid4().hex[:6]}-", next(self.baseline_numbers))
        began = time.perf_counter()
        answer = self.writer.call("POST", path, body)
        elapsed = (time.perf_counter() - began) * 1000.0
        if answer.status != 201:
            self._unexpected("baseline registration", answer.status, answer.body)
            return
        self.result.latencies_ms["baseline_registration"].append(elapsed)

    def promote(self, number: int, series: str, poller: Api) -> None:
        seated = self.scene.seated[number]
        entry = self.scene.entries[number]
        began = time.perf_counter()
        answer = self.writer.call("POST", f"/v1/participants/{seated}/cancel", {})
        answered = time.perf_counter()
        if answer.status != 200:
            self._unexpected("cancel", answer.status, answer.body)
            return
        self.result.latencies_ms["cancel"].append((answered - began) * 1000.0)
        path = f"/v1/events/{self.scene.event_id}/waitlist/entries/{entry}"
        deadline = answered + self.args.bound
        while True:
            seen = poller.call("GET", path)
            now = time.perf_counter()
            if seen.status == 200 and seen.body.get("state") == "offered":
                self.result.latencies_ms[series].append((now - answered) * 1000.0)
                return
            if seen.status != 200:
                self._unexpected("entry GET", seen.status, seen.body)
            if now >= deadline:
                self.result.unseen.append(str(entry))
                return
            time.sleep(self.args.poll_interval)

    def run(self) -> StoreRun:
        plan = [("promotion", self.reader)] * self.args.promotions
        plan += [("promotion_same_key", self.writer)] * self.args.same_key_promotions
        for number, (series, poller) in enumerate(plan):
            self.baseline()
            self.promote(number, series, poller)
            if (number + 1) % 50 == 0:
                self.server.check_alive()
                done = self.result.latencies_ms[series]
                log(
                    f"{number + 1}/{len(plan)} promotions; {series} p50 so far "
                    f"{figures(done)['p50_ms']:.1f} ms"
                )
        self.result.wrong = wrong_offers(
            [str(e) for e in self.scene.entries[: len(plan)]], self.open_offers()
        )
        return self.result

    def open_offers(self) -> list[str]:
        """The entries holding an open offer once the projection has every promotion."""
        path = f"/v1/events/{self.scene.event_id}/waitlist/offers?state=open&limit=200"
        offered: list[str] = []
        cursor: str | None = None
        while True:
            # The writer's key: its reads wait until the view has its last cancel.
            answer = self.writer.call("GET", path + (f"&cursor={cursor}" if cursor else ""))
            if answer.status != 200:
                raise BenchError(f"GET {path} answered {answer.status}: {answer.body!r:.300}")
            offered += [str(row["entry_id"]) for row in answer.body["items"]]
            cursor = answer.body.get("next_cursor")
            if not cursor:
                return offered


# --------------------------------------------------------------------------- main


def run_store(stack: contextlib.ExitStack, args: argparse.Namespace, store: str) -> StoreRun:
    """One store's whole run; its cleanups go on the stack."""
    store_args = copy.copy(args)
    store_args.database_url = args.database_url if store == "postgresql" else None
    scene = set_up(stack, store_args)
    logs = Path(tempfile.mkdtemp(prefix="accredit-bench-logs-"))
    if args.keep_logs:
        log(f"server log in {logs}")
    else:
        stack.callback(shutil.rmtree, logs, ignore_errors=True)
    server = start_server(stack, scene.fixture, logs)
    result = Promotions(server, scene, args).run()
    result.setup_seconds = scene.seconds
    return result


def report(args: argparse.Namespace, runs: Sequence[StoreRun]) -> dict[str, Any]:
    summaries = [r.summary() for r in runs]
    summary: dict[str, Any] = {
        "benchmark": "waitlist_promotion_latency",
        "capacity": args.capacity,
        "waiting": args.waiting,
        "promotions": args.promotions,
        "same_key_promotions": args.same_key_promotions,
        "poll_interval_s": args.poll_interval,
        "bound_s": args.bound,
        "goal_promotion_p99_ms": GOAL_P99_MS,
        "stores": {s["store"]: s for s in summaries},
        # What bench_http's execute reads: answers that were not the expected ones.
        "targets": {
            s["store"]: {
                "errors": sum(s["unexpected_answers"].values()),
                "statuses": s["unexpected_answers"],
            }
            for s in summaries
        },
    }
    print()
    print(
        f"Waitlist benchmark: capacity {args.capacity}, {args.waiting:,} waiting, "
        f"{args.promotions} + {args.same_key_promotions} promotions, "
        f"polling every {args.poll_interval * 1000:g} ms"
    )
    print(table(summaries))
    for s in summaries:
        verdict = "meets" if s["meets_goal"] else "MISSES"
        print(
            f"{s['store']}: promotion p99 {s['promotion']['p99_ms']:.1f} ms {verdict} the goal "
            f"of {GOAL_P99_MS:g} ms; {s['unseen_promotions']} unseen, "
            f"{len(s['wrong_offers'])} wrong offers"
        )
    print(json.dumps(summary, sort_keys=True), flush=True)
    return summary


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Waitlist promotion latency over HTTP on accredit serve: from a cancel's "
        "answer to the next entry's offer seen, next to the commands' own latency.",
    )
    parser.add_argument("--store", choices=(*STORES, "both"), default="both")
    parser.add_argument("--capacity", type=positive_int, default=600, help="seats, all taken")
    parser.add_argument("--waiting", type=positive_int, default=10_000, help="waitlist entries")
    parser.add_argument("--promotions", type=positive_int, default=500, help="polled by a 2nd key")
    parser.add_argument(
        "--same-key-promotions",
        type=int,
        default=50,
        help="more promotions, polled by the key that cancelled (0: none)",
    )
    parser.add_argument("--poll-interval", type=positive_float, default=0.005, help="seconds")
    parser.add_argument("--bound", type=positive_float, default=10.0, help="seconds per offer")
    parser.add_argument("--workers", type=positive_int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=positive_int, default=4, help="threads per worker")
    parser.add_argument(
        "--database-url",
        type=_loopback_postgres,
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL server to create a throw-away database on ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    args = parser.parse_args(argv)
    if args.same_key_promotions < 0:
        parser.error("--same-key-promotions must be 0 or more")
    total = args.promotions + args.same_key_promotions
    if total > args.capacity or total > args.waiting:
        parser.error(
            f"{total} promotions need as many seated participants (--capacity) and waiting "
            "entries (--waiting)"
        )
    return args


def stores(args: argparse.Namespace) -> tuple[str, ...]:
    return STORES if args.store == "both" else (args.store,)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    found: dict[str, Any] = {}

    def bench(stack: contextlib.ExitStack, args: argparse.Namespace) -> dict[str, Any]:
        runs = []
        for store in stores(args):
            # Each store is cleaned up before the next one starts.
            store_stack = stack.enter_context(contextlib.ExitStack())
            runs.append(run_store(store_stack, args, store))
            clean_up(store_stack)
        found.update(report(args, runs))
        return found

    status = execute(bench, args)
    if status == 0 and any(
        s["unseen_promotions"] or s["wrong_offers"] for s in found["stores"].values()
    ):
        log("some promotions were not seen in time, or went to another entry: see above")
        return EXIT_PROMOTIONS
    return status


if __name__ == "__main__":
    sys.exit(main())
