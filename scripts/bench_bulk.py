"""One bulk approval against the same approvals sent as single HTTP commands, on accredit serve.

Two open events of one tenant each hold N pending participants (--participants,
default 10,000; the default workflow has one approval step). Run A asks for one bulk
operation approving every pending participant of event A::

    POST /v1/events/{A}/bulk-operations
    {"kind": "complete-step", "params": {"step_id": "approval", "outcome": "approved"},
     "selection": {"filter": {"status": "pending"}}}

and polls its status (``GET /v1/bulk-operations/{id}``, every --poll-interval, 100 ms)
until it has ended. Run B sends the same approvals for event B one by one, as
``POST /v1/participants/{id}/steps/approval/complete``, from 16 concurrent client
threads (--clients), each on its own keep-alive connection.

Measured: items/s of each run (bulk: total / (ended seen - asked); single: approvals
answered 200 / wall time), their ratio (goal: bulk at least 5 times single), the bulk
operation's time to completion, the largest gap between successive changes of its
status (state, done, updated_at) as the poller saw them, from the 202 answer on (the
progress staleness; goal: at most 1 s; the same gap between the ``updated_at`` values
seen is given beside it), and the peak resident memory (VmHWM) of the executor
process, the ``operations`` worker that serve supervises. Checked: the operation ends
COMPLETED with every item ok, and every participant it approved (and every one run B
was answered 200 for) shows approved. Each run may take --bound seconds (30 min): a
bulk operation still running then is a wrong result; the single approvals not sent by
then are reported as such and the rate is of those sent.

Not measured yet: the issue's 100,000-row CSV import, as importing participants from
CSV does not exist yet (README, "Bulk operations").

Run from the repository root::

    .venv/bin/python scripts/bench_bulk.py                       # PostgreSQL on 127.0.0.1
    .venv/bin/python scripts/bench_bulk.py --participants 300
    .venv/bin/python scripts/bench_bulk.py --store sqlite --participants 2000
    .venv/bin/python scripts/bench_bulk.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

The tenant, its ADMIN key, both events and every participant are made through the
applications, in this process, before the server starts (SQLite in a temporary data
dir; PostgreSQL in a throw-away database, created and dropped); then ``accredit
serve`` (gunicorn, 2 workers x 4 threads by default, and every background worker)
runs on a free 127.0.0.1 port and every measured request goes over HTTP. The server,
the temporary data and the database are removed at the end, also on Ctrl-C or SIGTERM.

Prints the figures next to their goals as a table, and one JSON line at the end. The
exit status is 1 when the benchmark could not run and 3 when a result was wrong (an
item not ok, an answer not 200, a participant not approved); missing a goal is a
result, not a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from bench_http import (
    BenchError,
    Fixture,
    execute,
    log,
    positive_float,
    positive_int,
    prepare,
)
from bench_scans import ServeServer, _loopback_postgres
from bench_waitlist import start_server
from scan_bench.fixture import CONFLICT_RETRIES, Api

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STORES = ("postgresql", "sqlite")
GOAL_RATIO = 5.0  # bulk items/s over single items/s
GOAL_GAP_SECONDS = 1.0  # the longest the status may show nothing new
STEP = "approval"
APPROVAL = {"step_id": STEP, "outcome": "approved"}
ENDED = frozenset({"COMPLETED", "COMPLETED_WITH_ERRORS", "CANCELLED", "FAILED"})
SETTLE_SECONDS = 120.0  # for the participants view to show every approval
KIB_PER_MIB = 1024
HTTP_OK, HTTP_CONFLICT = 200, 409


# --------------------------------------------------------------------------- figures


def items_per_second(items: int, seconds: float) -> float:
    """A rate; nan when no time was measured."""
    return items / seconds if seconds > 0 else float("nan")


def change_times(observations: Sequence[tuple[float, Hashable]]) -> list[float]:
    """When the status showed something new: the first observation, then each one that
    differs from the one before it."""
    times: list[float] = []
    last: Hashable = object()
    for at, seen in observations:
        if seen != last:
            times.append(at)
            last = seen
    return times


def largest_gap(times: Sequence[float]) -> float:
    """The longest wait between successive times; 0 with fewer than two."""
    return max((later - earlier for earlier, later in pairwise(times)), default=0.0)


def goals(ratio: float, gap_seconds: float) -> dict[str, bool]:
    """Which goals the figures meet (a nan meets none)."""
    return {
        "ratio": ratio >= GOAL_RATIO,
        "progress_gap": gap_seconds <= GOAL_GAP_SECONDS,
    }


def operation_problems(document: dict[str, Any] | None, expected: int) -> list[str]:
    """What is wrong with a bulk operation's final status: empty when it COMPLETED with
    every one of the expected items ok."""
    if document is None:
        return ["the operation did not end in time"]
    problems = []
    if document["state"] != "COMPLETED":
        problems.append(f"the operation ended {document['state']}")
    for name, wanted in (("total", expected), ("ok", expected), ("refused", 0), ("skipped", 0)):
        if document[name] != wanted:
            problems.append(f"{name} is {document[name]}, not {wanted}")
    return problems


def executor_pid(serve_log: str) -> int | None:
    """The pid of the operations worker serve started last, from its log."""
    pids = re.findall(r"started operations pid=(\d+)", serve_log)
    return int(pids[-1]) if pids else None


def executor_starts(serve_log: str) -> int:
    """How often serve started the operations worker (more than once: it was restarted)."""
    return len(re.findall(r"started operations pid=\d+", serve_log))


def status_kib(status: str, name: str) -> int | None:
    """A memory figure (VmHWM, VmRSS) of a /proc/<pid>/status text, in KiB."""
    found = re.search(rf"^{name}:\s+(\d+) kB$", status, re.MULTILINE)
    return int(found.group(1)) if found else None


def _mib(kib: int | None) -> float | None:
    return round(kib / KIB_PER_MIB, 1) if kib is not None else None


def _round(value: float, digits: int = 3) -> float | None:
    return round(value, digits) if math.isfinite(value) else None


# --------------------------------------------------------------------------- set-up


@dataclass(frozen=True)
class Scene:
    """The data made before the server starts."""

    fixture: Fixture
    bulk_event: uuid.UUID  # run A
    single_event: uuid.UUID  # run B
    single_participants: list[uuid.UUID]
    seconds: float


def set_up(stack: contextlib.ExitStack, args: argparse.Namespace) -> Scene:
    """The store, a tenant and its key, two open events with N pending participants each."""
    from adapters.settings import Settings  # noqa: PLC0415 - keeps the module light to test
    from domain.registration.application import RegistrationApplication  # noqa: PLC0415
    from entrypoints.wiring.contexts import build  # noqa: PLC0415

    fixture = prepare(stack, args)
    began = time.monotonic()
    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    ends_at = starts_at + timedelta(days=1)
    with build(Settings.from_env(fixture.env)) as container:
        app = container.app(RegistrationApplication)
        tenant = fixture.tenant_id
        events: list[uuid.UUID] = []
        people: list[list[uuid.UUID]] = []
        for run in ("A", "B"):
            event_id = app.create_event(
                tenant, f"Congress {run}", starts_at, ends_at, "UTC"
            ).aggregate_id
            app.open_registration(tenant, event_id)
            registered = []
            for n in range(args.participants):
                details = {
                    "first_name": "Delegate",
                    "last_name": f"{run}{n}",
                    "email": f"{run.lower()}{n}@bench.org",
                }
                registered.append(app.register(tenant, event_id, details).aggregate_id)
                if (n + 1) % 2000 == 0:
                    log(
                        f"event {run}: {n + 1:,}/{args.participants:,} registered "
                        f"({time.monotonic() - began:.0f} s)"
                    )
            events.append(event_id)
            people.append(registered)
        log("catching up the views")
        container.catch_up()
    seconds = time.monotonic() - began
    log(f"set-up done in {seconds:.0f} s")
    return Scene(fixture, events[0], events[1], people[1], seconds)


# --------------------------------------------------------------------------- measuring


def approved(api: Api, event_id: uuid.UUID, expected: int, bound: float) -> int:
    """How many of the event's participants show approved, once all do or the bound ran out."""
    deadline = time.monotonic() + bound
    while True:
        answer = api.call("GET", f"/v1/events/{event_id}/counts")
        if answer.status != 200:
            raise BenchError(f"GET counts answered {answer.status}: {answer.body!r:.300}")
        count = int(answer.body["by_status"]["approved"])
        if count >= expected or time.monotonic() >= deadline:
            return count
        time.sleep(0.2)


def memory_kib(pid: int | None, name: str) -> int | None:
    if pid is None:
        return None
    try:
        return status_kib(Path(f"/proc/{pid}/status").read_text(), name)
    except OSError:
        return None


def _progress(document: dict[str, Any]) -> tuple[str, int, str]:
    return document["state"], document["done"], document["updated_at"]


@dataclass
class BulkRun:
    """What run A saw."""

    participants: int
    seconds: float = float("nan")  # from asking to the poll that saw it ended
    server_seconds: float = float("nan")  # requested_at to ended_at, as the status says
    observations: list[tuple[float, tuple[str, int, str]]] = field(default_factory=list)
    final: dict[str, Any] | None = None
    statuses: Counter[str] = field(default_factory=Counter)  # unexpected answers
    approved: int = 0
    rss_before_kib: int | None = None
    peak_rss_kib: int | None = None
    executor_starts: int = 0

    def gap(self) -> float:
        """The progress staleness: the poller's longest wait for anything new."""
        return largest_gap(change_times(self.observations))

    def updated_at_gap(self) -> float:
        """The same, between the updated_at values seen (the executor's own pace)."""
        stamps = sorted({datetime.fromisoformat(seen[2]) for _, seen in self.observations})
        return largest_gap([s.timestamp() for s in stamps])

    def problems(self) -> list[str]:
        problems = operation_problems(self.final, self.participants)
        problems += [f"{n} status reads answered {s}" for s, n in sorted(self.statuses.items())]
        if self.approved != self.participants:
            problems.append(f"{self.approved} of {self.participants} participants approved")
        return problems

    def summary(self) -> dict[str, Any]:
        total = self.final["total"] if self.final else 0
        return {
            "items": total,
            "items_per_second": _round(items_per_second(total, self.seconds), 1),
            "seconds": _round(self.seconds),
            "server_seconds": _round(self.server_seconds),
            "server_items_per_second": (self.final or {}).get("items_per_second"),
            "largest_progress_gap_s": round(self.gap(), 3),
            "largest_updated_at_gap_s": round(self.updated_at_gap(), 3),
            "polls": len(self.observations) - 1,
            "changes_seen": len(change_times(self.observations)) - 1,
            "final": self.final,
            "approved": self.approved,
            "executor_rss_before_mib": _mib(self.rss_before_kib),
            "executor_peak_rss_mib": _mib(self.peak_rss_kib),
            "executor_starts": self.executor_starts,
            "problems": self.problems(),
            "unexpected_answers": dict(self.statuses),
        }


def run_bulk(server: ServeServer, scene: Scene, args: argparse.Namespace) -> BulkRun:
    """Run A: one bulk approval of the event's pending participants, polled to its end."""
    api = Api(server.port, scene.fixture.secret)
    result = BulkRun(args.participants)
    pid = executor_pid(server.log_path.read_text(errors="replace"))
    result.rss_before_kib = memory_kib(pid, "VmRSS")
    body = {
        "kind": "complete-step",
        "params": APPROVAL,
        "selection": {"filter": {"status": "pending"}},
    }
    asked = time.perf_counter()
    answer = api.call("POST", f"/v1/events/{scene.bulk_event}/bulk-operations", body)
    if answer.status != 202:
        raise BenchError(f"the bulk operation answered {answer.status}: {answer.body!r:.500}")
    result.observations.append((time.perf_counter() - asked, _progress(answer.body)))
    location = answer.headers["location"]
    log(f"bulk operation {location} asked")
    deadline = asked + args.bound
    next_poll = time.perf_counter()
    while True:
        next_poll += args.poll_interval
        time.sleep(max(0.0, next_poll - time.perf_counter()))
        seen = api.call("GET", location)
        now = time.perf_counter()
        if seen.status != 200:
            result.statuses[str(seen.status)] += 1
            log(f"GET {location} answered {seen.status}: {seen.body!r:.300}")
        else:
            result.observations.append((now - asked, _progress(seen.body)))
            if seen.body["state"] in ENDED:
                result.seconds = now - asked
                result.final = seen.body
                break
        if now >= deadline:
            log(f"the bulk operation did not end within {args.bound:g} s")
            break
        if len(result.observations) % 50 == 0:
            server.check_alive()
            log(f"bulk: {result.observations[-1][1][1]:,}/{args.participants:,} done")
    serve_log = server.log_path.read_text(errors="replace")
    result.peak_rss_kib = memory_kib(executor_pid(serve_log), "VmHWM")
    result.executor_starts = executor_starts(serve_log)
    if result.executor_starts > 1:
        log(
            f"serve restarted the executor {result.executor_starts - 1} time(s): its peak "
            f"memory is the last one's\n{server.log_tail()}"
        )
    if result.final is not None and result.final.get("ended_at"):
        result.server_seconds = (
            datetime.fromisoformat(result.final["ended_at"])
            - datetime.fromisoformat(result.final["requested_at"])
        ).total_seconds()
    result.approved = approved(api, scene.bulk_event, args.participants, SETTLE_SECONDS)
    return result


@dataclass
class SingleRun:
    """What run B saw."""

    participants: int
    clients: int
    seconds: float = float("nan")
    ok: int = 0
    retried: int = 0  # commands sent again after a concurrency conflict
    unsent: int = 0  # approvals left when the run's bound ran out
    statuses: Counter[str] = field(default_factory=Counter)  # unexpected answers
    approved: int = 0

    def problems(self) -> list[str]:
        problems = [f"{n} answers {status}" for status, n in sorted(self.statuses.items())]
        if self.approved != self.ok:
            problems.append(f"{self.approved} participants approved, {self.ok} approvals answered")
        return problems

    def summary(self) -> dict[str, Any]:
        return {
            "items": self.ok,
            "items_per_second": _round(items_per_second(self.ok, self.seconds), 1),
            "seconds": _round(self.seconds),
            "clients": self.clients,
            "conflicts_retried": self.retried,
            "not_sent_within_bound": self.unsent,
            "approved": self.approved,
            "problems": self.problems(),
            "unexpected_answers": dict(self.statuses),
        }


def approve(api: Api, participant_id: uuid.UUID) -> tuple[str, int]:
    """One approval command, sent again after a concurrency conflict as its answer asks;
    answers the last status (or the failure) and how many times it was sent."""
    path = f"/v1/participants/{participant_id}/steps/{STEP}/complete"
    status = ""
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            answer = api.call("POST", path, {"outcome": "approved"})
        except OSError as exc:
            return type(exc).__name__, attempt
        status = str(answer.status)
        if answer.status == HTTP_OK:
            return status, attempt
        if answer.status != HTTP_CONFLICT or "concurrency" not in str(answer.body.get("type")):
            log(f"POST {path} answered {answer.status}: {answer.body!r:.300}")
            return status, attempt
        # Approvals of one event all take a seat in its ledger: the clients collide there.
        time.sleep(random.uniform(0.0, 0.05))
    return f"{status} after {CONFLICT_RETRIES} tries", CONFLICT_RETRIES


def run_single(server: ServeServer, scene: Scene, args: argparse.Namespace) -> SingleRun:
    """Run B: the same approvals one command each, from concurrent keep-alive clients."""
    api = Api(server.port, scene.fixture.secret)
    result = SingleRun(args.participants, args.clients)
    lock = threading.Lock()
    # Every client connects (one probe each) before the clock starts.
    ready = threading.Barrier(args.clients + 1)
    ended: list[float] = []

    def client(share: list[uuid.UUID]) -> None:
        ok, retried, statuses = 0, 0, Counter[str]()
        try:
            api.call("GET", "/v1/tenant")
        finally:
            ready.wait()
        stop_at = time.perf_counter() + args.bound
        for sent, participant_id in enumerate(share):
            if time.perf_counter() >= stop_at:
                with lock:
                    result.unsent += len(share) - sent
                break
            status, tries = approve(api, participant_id)
            retried += tries - 1
            if status == "200":
                ok += 1
            else:
                statuses[status] += 1
        with lock:
            ended.append(time.perf_counter())
            result.ok += ok
            result.retried += retried
            result.statuses.update(statuses)

    people = scene.single_participants
    threads = [
        threading.Thread(target=client, args=(people[n :: args.clients],), daemon=True)
        for n in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    log(f"single: {len(people):,} approvals from {args.clients} clients")
    for thread in threads:
        thread.join()
    server.check_alive()
    result.seconds = max(ended, default=began) - began
    if result.unsent:
        log(f"single: {result.unsent:,} approvals not sent, the run took over {args.bound:g} s")
    result.approved = approved(api, scene.single_event, result.ok, SETTLE_SECONDS)
    return result


# --------------------------------------------------------------------------- reporting


def report(
    args: argparse.Namespace, scene: Scene, bulk: BulkRun, single: SingleRun
) -> dict[str, Any]:
    a, b = bulk.summary(), single.summary()
    rates = (a["items_per_second"], b["items_per_second"])
    ratio = rates[0] / rates[1] if None not in rates and rates[1] else float("nan")
    met = goals(ratio, a["largest_progress_gap_s"])
    summary: dict[str, Any] = {
        "benchmark": "bulk_approval_vs_single_commands",
        "store": scene.fixture.database,
        "participants": args.participants,
        "workers": args.workers,
        "threads": args.threads,
        "poll_interval_s": args.poll_interval,
        "setup_seconds": round(scene.seconds, 1),
        "bulk": a,
        "single": b,
        "ratio": _round(ratio),
        "goal_ratio": GOAL_RATIO,
        "goal_progress_gap_s": GOAL_GAP_SECONDS,
        "goals_met": met,
        "meets_goal": all(met.values()),
        # What bench_http's execute reads: results that are wrong, not just slow.
        "targets": {
            "bulk": {"errors": len(a["problems"]), "statuses": a["problems"]},
            "single": {"errors": len(b["problems"]), "statuses": b["problems"]},
        },
    }
    print()
    print(
        f"Bulk benchmark on {scene.fixture.database}: {args.participants:,} approvals per run, "
        f"{args.workers} workers x {args.threads} threads, status polled every "
        f"{args.poll_interval * 1000:g} ms, {args.clients} single-command clients"
    )
    print(table(summary))
    for name, problems in (("bulk", a["problems"]), ("single", b["problems"])):
        for problem in problems:
            print(f"WRONG ({name}): {problem}")
    print(json.dumps(summary, sort_keys=True), flush=True)
    return summary


def _figure(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{value:,.2f} {unit}"


def table(summary: dict[str, Any]) -> str:
    """The figures the run prints, each beside its goal."""
    a, b, met = summary["bulk"], summary["single"], summary["goals_met"]
    rows = [
        ("items/s, one bulk operation", _figure(a["items_per_second"], "/s"), ""),
        ("items/s, single commands", _figure(b["items_per_second"], "/s"), ""),
        ("single commands sent again (409)", f"{b['conflicts_retried']:,}", ""),
        ("single approvals not sent (bound)", f"{b['not_sent_within_bound']:,}", ""),
        (
            "ratio bulk/single",
            _figure(summary["ratio"], "x"),
            f">= {GOAL_RATIO:g}: {'met' if met['ratio'] else 'MISSED'}",
        ),
        ("bulk time to completion", _figure(a["seconds"], "s"), ""),
        (
            "largest progress gap seen",
            _figure(a["largest_progress_gap_s"], "s"),
            f"<= {GOAL_GAP_SECONDS:g} s: {'met' if met['progress_gap'] else 'MISSED'}",
        ),
        ("largest updated_at gap seen", _figure(a["largest_updated_at_gap_s"], "s"), ""),
        ("executor peak memory (VmHWM)", _figure(a["executor_peak_rss_mib"], "MiB"), ""),
        ("executor memory before (VmRSS)", _figure(a["executor_rss_before_mib"], "MiB"), ""),
        ("executor processes started", str(a["executor_starts"]), ""),
    ]
    header = f"{'figure':<32} {'value':>16}   goal"
    lines = [header, "-" * (len(header) + 20)]
    lines += [f"{name:<32} {value:>16}   {goal}".rstrip() for name, value, goal in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def bench(stack: contextlib.ExitStack, args: argparse.Namespace) -> dict[str, Any]:
    """The whole benchmark; every cleanup goes on the stack, closed by the caller."""
    args.database_url = args.database_url if args.store == "postgresql" else None
    scene = set_up(stack, args)
    logs = Path(tempfile.mkdtemp(prefix="accredit-bench-logs-"))
    if args.keep_logs:
        log(f"server log in {logs}")
    else:
        stack.callback(shutil.rmtree, logs, ignore_errors=True)
    server = start_server(stack, scene.fixture, logs)
    bulk = run_bulk(server, scene, args)
    log(f"bulk: {bulk.summary()['items_per_second']} items/s")
    single = run_single(server, scene, args)
    log(f"single: {single.summary()['items_per_second']} items/s")
    return report(args, scene, bulk, single)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="One bulk approval of N participants against N single approval "
        "commands over HTTP, on accredit serve.",
    )
    parser.add_argument("--store", choices=STORES, default="postgresql")
    parser.add_argument(
        "--participants", type=positive_int, default=10_000, help="pending, per event"
    )
    parser.add_argument(
        "--clients", type=positive_int, default=16, help="single-command client threads"
    )
    parser.add_argument("--poll-interval", type=positive_float, default=0.1, help="seconds")
    parser.add_argument(
        "--bound", type=positive_float, default=1800.0, help="seconds each run may take"
    )
    parser.add_argument("--workers", type=positive_int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=positive_int, default=4, help="threads per worker")
    parser.add_argument(
        "--database-url",
        type=_loopback_postgres,
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL server to create a throw-away database on ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the server's log")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return execute(bench, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
