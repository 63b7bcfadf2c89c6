"""HTTP throughput of Accredit's authenticated query against a bare Falcon endpoint.

Goal: ``GET /v1/tenant`` with an API key (authentication, rate limiting through the
shared database, then a read of the tenants view) reaches at least 0.5 of the
throughput of a bare Falcon endpoint served with the very same gunicorn settings
(DESIGN.md, "Performance stance": the HTTP path's physical limit).

Run from the repository root::

    .venv/bin/python scripts/bench_http.py                     # SQLite in a temporary dir
    .venv/bin/python scripts/bench_http.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python scripts/bench_http.py --seconds 10 --rounds 3 --clients 16 \\
        --workers 2 --threads 4

With --database-url, a throw-away database is created on that server and dropped at the
end; nothing else on the server is touched. One run:

1. prepares a fresh data dir (and database), a tenant and a PREMIUM key with a quota so
   high the limiter counts every request but refuses none, and catches up the views;
2. starts two gunicorn servers on free 127.0.0.1 ports with identical settings
   (``--config python:entrypoints.gunicorn_conf``, same ACCREDIT_WORKERS/THREADS): the
   bare app of scripts/bench_bare_app.py and Accredit;
3. warms both up, then loads them from stdlib-only loopback clients (processes of
   threads with keep-alive connections), alternating bare, ours, bare, ours, ... so
   machine noise hits both;
4. prints per target requests/s, p50 and p99 latency (medians over the rounds), the
   ratio ours/bare, a table, and one JSON line at the end.

The machines are shared and noisy: read the ratio, not the absolute figures. The exit
status is non-zero only when the benchmark could not run or measured the wrong thing
(a server failed, or some answers were not 2xx); a low ratio is a result, not a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import multiprocessing
import os
import platform
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
HOST = "127.0.0.1"
GOAL_RATIO = 0.5
BARE_PATH = "/bare"  # scripts/bench_bare_app.py
OURS_PATH = "/v1/tenant"
# PREMIUM's quota during the run: the limiter still counts every request, never refuses.
HIGH_QUOTA = 1_000_000_000
STARTUP_SECONDS = 60.0
STOP_SECONDS = 10.0
EXIT_FAILED = 1
EXIT_BAD_ANSWERS = 3


class BenchError(RuntimeError):
    """The benchmark could not run; the message says why."""


# --------------------------------------------------------------------------- load clients


class Caller(Protocol):
    """One client thread's own connection to a target, sending one request at a time."""

    # What a failed request raises; the thread counts it, resets and carries on.
    failures: ClassVar[tuple[type[Exception], ...]]

    def call(self) -> tuple[str, bool]:
        """Sends one request; answers its status and whether that is a success."""
        ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


class Target(Protocol):
    """What the clients load; picklable, so that it reaches the client processes."""

    def connect(self) -> Caller:
        """A caller, connected before the start so that connecting is not measured."""
        ...


@dataclass(frozen=True)
class HttpTarget:
    """GET of one path on a 127.0.0.1 port; any 2xx is a success."""

    port: int
    path: str
    headers: dict[str, str]

    def connect(self) -> HttpCaller:
        return HttpCaller(self)


class HttpCaller:
    """A keep-alive connection; http.client reconnects on the next request after a reset."""

    failures: ClassVar[tuple[type[Exception], ...]] = (OSError, http.client.HTTPException)

    def __init__(self, target: HttpTarget) -> None:
        self.target = target
        self.conn = http.client.HTTPConnection(HOST, target.port, timeout=30)
        with contextlib.suppress(OSError):
            self.conn.connect()

    def call(self) -> tuple[str, bool]:
        status = self.exchange("GET")
        return str(status), 200 <= status < 300

    def exchange(self, method: str, body: bytes | None = None) -> int:
        """One request to the target's path with its headers; answers the status."""
        self.conn.request(method, self.target.path, body=body, headers=self.target.headers)
        response = self.conn.getresponse()
        response.read()
        return response.status

    def reset(self) -> None:
        self.conn.close()

    def close(self) -> None:
        self.conn.close()


@dataclass(frozen=True)
class Job:
    """One timed burst against one target, run by every thread of every client process."""

    target: Target
    start_at: float  # time.monotonic(), system-wide on Linux, so shared by the processes
    seconds: float
    requests_per_thread: int


@dataclass
class Tally:
    """What some client threads saw during one job."""

    ok: int = 0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: array[float] = field(default_factory=lambda: array("d"))
    last_end: float = 0.0

    def add(self, other: Tally) -> None:
        self.ok += other.ok
        self.errors += other.errors
        self.statuses.update(other.statuses)
        self.latencies_ms.extend(other.latencies_ms)
        self.last_end = max(self.last_end, other.last_end)


def _client_thread(job: Job, out: list[Tally]) -> None:
    tally = Tally()
    caller = job.target.connect()
    deadline = job.start_at + job.seconds
    delay = job.start_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    clock = time.perf_counter
    for _ in range(job.requests_per_thread):
        if time.monotonic() >= deadline:
            break
        began = clock()
        try:
            status, success = caller.call()
        except caller.failures as exc:
            tally.errors += 1
            tally.statuses[type(exc).__name__] += 1
            caller.reset()
            continue
        tally.latencies_ms.append((clock() - began) * 1000.0)
        if success:
            tally.ok += 1
        else:
            tally.errors += 1
        tally.statuses[status] += 1
    tally.last_end = time.monotonic()
    caller.close()
    out.append(tally)


def _run_job(job: Job, threads: int) -> Tally:
    tallies: list[Tally] = []
    workers = [
        threading.Thread(target=_client_thread, args=(job, tallies), daemon=True)
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    total = Tally()
    for tally in tallies:
        total.add(tally)
    return total


def _client_process(
    jobs: multiprocessing.Queue[Job | None], results: multiprocessing.Queue[Tally], threads: int
) -> None:
    # The parent handles Ctrl-C and stops us; a KeyboardInterrupt here would only add noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while (job := jobs.get()) is not None:
        results.put(_run_job(job, threads))


class LoadGenerator:
    """Client processes, each with threads, that run one Job at a time on command."""

    def __init__(self, clients: int, processes: int) -> None:
        processes = max(1, min(processes, clients))
        ctx: SpawnContext = multiprocessing.get_context("spawn")
        self.threads = [clients // processes + (i < clients % processes) for i in range(processes)]
        self.results: multiprocessing.Queue[Tally] = ctx.Queue()
        self.inboxes: list[multiprocessing.Queue[Job | None]] = []
        self.processes: list[SpawnProcess] = []
        for threads in self.threads:
            inbox: multiprocessing.Queue[Job | None] = ctx.Queue()
            process = ctx.Process(
                target=_client_process, args=(inbox, self.results, threads), daemon=True
            )
            process.start()
            self.inboxes.append(inbox)
            self.processes.append(process)

    @property
    def clients(self) -> int:
        return sum(self.threads)

    def run(self, target: Target, seconds: float, max_requests: int) -> tuple[Tally, float]:
        """Loads one target; answers the tally and the measured wall time in seconds."""
        per_thread = max(1, max_requests // self.clients)
        start_at = time.monotonic() + 0.5  # time for every thread to connect
        for inbox in self.inboxes:
            inbox.put(Job(target, start_at, seconds, per_thread))
        total = Tally()
        for _ in self.inboxes:
            try:
                total.add(self.results.get(timeout=seconds + 120))
            except queue.Empty:
                raise BenchError("a load client did not report back in time") from None
        return total, max(total.last_end - start_at, 1e-9)

    def close(self) -> None:
        stop_clients(self.inboxes, self.processes)


def stop_clients(inboxes: Sequence[Any], processes: Sequence[Any]) -> None:
    """Tells each client process to stop, then stops any that did not."""
    for inbox in inboxes:
        with contextlib.suppress(Exception):
            inbox.put(None)
    # An idle client exits at once; a busy one (interrupted mid-job) is just stopped.
    deadline = time.monotonic() + 1.0
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)


# --------------------------------------------------------------------------- fixture


@dataclass
class Fixture:
    """The prepared data: where it lives and the key to call with."""

    env: dict[str, str]
    secret: str
    database: str
    tenant_id: uuid.UUID


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def postgres_database(stack: contextlib.ExitStack, admin_url: str) -> str:
    """Creates a throw-away database on the server (dropped on exit); answers its URL."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL variant needs it
    from psycopg import sql  # noqa: PLC0415

    parts = urlsplit(admin_url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise BenchError(f"--database-url must be a postgresql:// URL, not {admin_url!r}")
    name = f"accredit_bench_{uuid.uuid4().hex[:12]}"
    conninfo = parts._replace(scheme="postgresql").geturl()
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise BenchError(f"cannot create a database on {parts.hostname}: {exc}") from exc

    def drop() -> None:
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(statement)
        except psycopg.Error as exc:
            print(f"warning: could not drop database {name}: {exc}", file=sys.stderr)

    stack.callback(drop)
    log(f"created throw-away database {name} on {parts.hostname}:{parts.port or 5432}")
    return parts._replace(scheme="postgresql", path=f"/{name}").geturl()


def prepare(stack: contextlib.ExitStack, args: argparse.Namespace) -> Fixture:
    """Fresh data dir (and database), one tenant and one PREMIUM key, views caught up."""
    from adapters.settings import Settings  # noqa: PLC0415 - keeps the clients' imports light
    from entrypoints.wiring.contexts import build  # noqa: PLC0415

    data_dir = Path(tempfile.mkdtemp(prefix="accredit-bench-"))
    stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ACCREDIT_") and key != "PYTHONPATH"
    }
    env.update(
        ACCREDIT_DATA_DIR=str(data_dir),
        ACCREDIT_HOST=HOST,
        ACCREDIT_WORKERS=str(args.workers),
        ACCREDIT_THREADS=str(args.threads),
        ACCREDIT_RATE_LIMITS=json.dumps({"PREMIUM": HIGH_QUOTA}),
        ACCREDIT_DEMO_TENANT="0",
        # Both servers import from the repository; the bare one from scripts/ as well.
        PYTHONPATH=os.pathsep.join([str(REPO), str(SCRIPTS)]),
    )
    database = "sqlite"
    if args.database_url:
        env["ACCREDIT_DATABASE_URL"] = postgres_database(stack, args.database_url)
        database = "postgresql"
    with build(Settings.from_env(env)) as container:
        tenant = container.platform.create_tenant("Benchmark organiser")
        issued = container.platform.issue_api_key(
            tenant.aggregate_id, "benchmark", ["ADMIN"], "PREMIUM"
        )
        container.catch_up()
    log(f"prepared tenant {tenant.aggregate_id} and a PREMIUM key in {data_dir}")
    return Fixture(env=env, secret=issued.secret, database=database, tenant_id=tenant.aggregate_id)


# --------------------------------------------------------------------------- servers


@dataclass
class Server:
    """One gunicorn master (in its own session) serving one app on one port."""

    name: str
    app: str
    port: int
    path: str
    headers: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        """What runs the server: gunicorn with Accredit's settings, serving `app`."""
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:entrypoints.gunicorn_conf",
            self.app,
        ]

    def start(self, env: dict[str, str]) -> None:
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(
                self.command(),
                cwd=REPO,
                env={**env, "ACCREDIT_PORT": str(self.port)},
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us only; we stop it in order
            )

    def probe(self) -> http.client.HTTPResponse | None:
        """One request; None while the port does not answer yet."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            conn.request("GET", self.path, headers=self.headers)
            response = conn.getresponse()
            response.read()
            return response
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def wait_ready(self, timeout: float) -> http.client.HTTPResponse:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise BenchError(f"the {self.name} server exited early\n{self.log_tail()}")
            response = self.probe()
            if response is not None:
                if 200 <= response.status < 300:
                    return response
                raise BenchError(
                    f"the {self.name} server answered {response.status} on {self.path}\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.1)
        raise BenchError(f"the {self.name} server did not answer in {timeout} s\n{self.log_tail()}")

    def target(self) -> HttpTarget:
        return HttpTarget(self.port, self.path, self.headers)

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise BenchError(f"the {self.name} server died under load\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(f"  | {line}" for line in text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM for a graceful stop, then SIGKILL to the whole session it started."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                log(f"the {self.name} server ignored SIGTERM; killing it")
        # Its own session's group: the master and any worker it left behind.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_SECONDS)


def start_servers(stack: contextlib.ExitStack, fixture: Fixture, logs: Path) -> list[Server]:
    bare = Server(
        name="bare",
        app="bench_bare_app:create_app()",
        port=free_port(),
        path=BARE_PATH,
        headers={},
        log_path=logs / "bare.log",
    )
    ours = Server(
        name="ours",
        app="entrypoints.http.app:create_app()",
        port=free_port(),
        path=OURS_PATH,
        headers={"Authorization": f"Bearer {fixture.secret}"},
        log_path=logs / "ours.log",
    )
    if bare.port == ours.port:
        ours.port = free_port()
    servers = [bare, ours]
    for server in servers:
        stack.callback(server.stop)
        server.start(fixture.env)
    bare.wait_ready(STARTUP_SECONDS)
    answer = ours.wait_ready(STARTUP_SECONDS)
    if answer.getheader("RateLimit-Limit") != str(HIGH_QUOTA):
        raise BenchError("the rate limiter did not answer with the benchmark's PREMIUM quota")
    log(f"servers ready: bare on :{bare.port}, ours on :{ours.port}")
    return servers


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class RoundResult:
    rps: float
    p50_ms: float
    p99_ms: float
    ok: int
    errors: int
    statuses: dict[str, int]


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence (nan when empty)."""
    if not ordered:
        return float("nan")
    rank = min(max(1, math.ceil(fraction * len(ordered))), len(ordered))
    return ordered[rank - 1]


class Contender(Protocol):
    """One of the things a run compares: a name, what to load, and a check it survived."""

    @property
    def name(self) -> str: ...

    def target(self) -> Target: ...

    def check_alive(self) -> None:
        """Raises BenchError when whatever serves the target died."""
        ...


def measure(
    load: LoadGenerator, contender: Contender, seconds: float, max_requests: int
) -> RoundResult:
    tally, elapsed = load.run(contender.target(), seconds, max_requests)
    contender.check_alive()
    ordered = sorted(tally.latencies_ms)
    return RoundResult(
        rps=tally.ok / elapsed,
        p50_ms=_percentile(ordered, 0.50),
        p99_ms=_percentile(ordered, 0.99),
        ok=tally.ok,
        errors=tally.errors,
        statuses=dict(tally.statuses),
    )


def run_rounds(
    load: LoadGenerator, servers: Sequence[Contender], args: argparse.Namespace
) -> dict[str, list[RoundResult]]:
    if args.warmup > 0:
        for server in servers:
            warm = measure(load, server, args.warmup, args.max_requests)
            log(f"warm-up {server.name}: {warm.rps:,.0f} req/s, {warm.errors} errors")
    results: dict[str, list[RoundResult]] = {server.name: [] for server in servers}
    for number in range(1, args.rounds + 1):
        for server in servers:  # bare, ours, bare, ours, ...
            result = measure(load, server, args.seconds, args.max_requests)
            results[server.name].append(result)
            log(
                f"round {number}/{args.rounds} {server.name}: {result.rps:,.0f} req/s, "
                f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
                f"{result.errors} errors {_statuses(result.statuses)}"
            )
    return results


def _statuses(statuses: dict[str, int]) -> str:
    return "(" + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())) + ")"


# --------------------------------------------------------------------------- reporting


def summarise(rounds: list[RoundResult]) -> dict[str, Any]:
    statuses: Counter[str] = Counter()
    for result in rounds:
        statuses.update(result.statuses)
    return {
        "rps": round(statistics.median(r.rps for r in rounds), 1),
        "p50_ms": round(statistics.median(r.p50_ms for r in rounds), 3),
        "p99_ms": round(statistics.median(r.p99_ms for r in rounds), 3),
        "requests": sum(r.ok + r.errors for r in rounds),
        "errors": sum(r.errors for r in rounds),
        "statuses": dict(sorted(statuses.items())),
        "rounds_rps": [round(r.rps, 1) for r in rounds],
    }


def report(
    args: argparse.Namespace,
    fixture: Fixture,
    load: LoadGenerator,
    results: dict[str, list[RoundResult]],
) -> dict[str, Any]:
    targets = {name: summarise(rounds) for name, rounds in results.items()}
    bare, ours = targets["bare"], targets["ours"]
    ratio = ours["rps"] / bare["rps"] if bare["rps"] else float("nan")
    per_round = [
        round(o.rps / b.rps, 3) if b.rps else None
        for b, o in zip(results["bare"], results["ours"], strict=True)
    ]
    summary: dict[str, Any] = {
        "benchmark": "http_authenticated_query_vs_bare_falcon",
        "query": f"GET {OURS_PATH}",
        "database": fixture.database,
        **run_settings(args, load),
        "targets": targets,
        "ratio": round(ratio, 3),
        "ratio_per_round": per_round,
        "goal_ratio": GOAL_RATIO,
        "meets_goal": ratio >= GOAL_RATIO,
    }
    print()
    print(
        f"HTTP benchmark on {fixture.database}: {load.clients} clients, "
        f"{args.workers} workers x {args.threads} threads ({summary['worker_class']}), "
        f"{args.rounds} rounds of {args.seconds:g} s, medians"
    )
    header = f"{'target':<28} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>8}"
    print(header)
    print("-" * len(header))
    labels = {"bare": f"bare Falcon GET {BARE_PATH}", "ours": f"Accredit GET {OURS_PATH}"}
    for name, figures in targets.items():
        print(
            f"{labels[name]:<28} {figures['rps']:>10,.0f} {figures['p50_ms']:>9.2f} "
            f"{figures['p99_ms']:>9.2f} {figures['errors']:>8}"
        )
    verdict = "meets" if summary["meets_goal"] else "BELOW"
    print(
        f"ratio ours/bare throughput: {ratio:.3f} ({verdict} the goal of {GOAL_RATIO}); "
        f"per round: {per_round}"
    )
    print(json.dumps(summary, sort_keys=True), flush=True)
    return summary


# --------------------------------------------------------------------------- main


def log(message: str) -> None:
    # Named after the script that runs, which may be another benchmark importing this one.
    print(f"[{Path(sys.argv[0]).stem or 'bench_http'}] {message}", file=sys.stderr, flush=True)


def positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run_settings(args: argparse.Namespace, load: LoadGenerator) -> dict[str, Any]:
    """How a run was made, for its JSON line: rounds, clients, gunicorn, the machine."""
    return {
        "seconds": args.seconds,
        "rounds": args.rounds,
        "warmup_seconds": args.warmup,
        "clients": load.clients,
        "client_processes": len(load.processes),
        "workers": args.workers,
        "threads": args.threads,
        "worker_class": "gthread" if args.threads > 1 else "sync",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of rounds, clients and gunicorn that every HTTP benchmark takes."""
    parser.add_argument("--seconds", type=positive_float, default=10.0, help="per round")
    parser.add_argument("--rounds", type=positive_int, default=3, help="per target")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per target, unmeasured")
    parser.add_argument("--clients", type=positive_int, default=16, help="concurrent connections")
    parser.add_argument(
        "--client-processes",
        type=positive_int,
        default=max(1, min(4, os.cpu_count() or 1)),
        help="processes the clients are spread over (default: CPUs, at most 4)",
    )
    parser.add_argument(
        "--max-requests",
        type=positive_int,
        default=2_000_000,
        help="upper bound on requests per round and target",
    )
    parser.add_argument("--workers", type=positive_int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=positive_int, default=4, help="threads per worker")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Throughput of GET /v1/tenant against a bare Falcon endpoint, "
        "same gunicorn settings, one run.",
    )
    add_load_arguments(parser)
    parser.add_argument(
        "--database-url",
        help="postgresql://... server to create a throw-away database on (default: SQLite)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the gunicorn logs")
    return parser.parse_args(argv)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """A SIGTERM unwinds like Ctrl-C, so every cleanup still runs."""

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(stack: contextlib.ExitStack, args: argparse.Namespace) -> dict[str, Any]:
    """One whole benchmark; every cleanup goes on the stack, closed by the caller."""
    fixture = prepare(stack, args)
    logs = Path(tempfile.mkdtemp(prefix="accredit-bench-logs-"))
    if args.keep_logs:
        log(f"gunicorn logs in {logs}")
    else:
        stack.callback(shutil.rmtree, logs, ignore_errors=True)
    servers = start_servers(stack, fixture, logs)
    # Closed before the servers stop (the stack unwinds in reverse), so none is under load.
    load = LoadGenerator(args.clients, args.client_processes)
    stack.callback(load.close)
    results = run_rounds(load, servers, args)
    return report(args, fixture, load, results)


def clean_up(stack: contextlib.ExitStack) -> None:
    """Closes the stack with Ctrl-C and SIGTERM held off, so cleaning up is never cut short."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stack.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    return execute(run, parse_args(argv))


def execute(
    bench: Callable[[contextlib.ExitStack, argparse.Namespace], dict[str, Any]],
    args: argparse.Namespace,
) -> int:
    """Runs one benchmark to its exit status, cleaning up on any ending, SIGTERM included."""
    stack = contextlib.ExitStack()
    with sigterm_as_interrupt():
        try:
            summary = bench(stack, args)
        except BenchError as exc:
            log(f"failed: {exc}")
            return EXIT_FAILED
        except KeyboardInterrupt:
            log("interrupted; stopping the servers and removing temporary data")
            return 130
        finally:
            clean_up(stack)
    bad = {name: t["statuses"] for name, t in summary["targets"].items() if t["errors"]}
    if bad:
        log(f"some answers were not successes, so the figures are not of the intended path: {bad}")
        return EXIT_BAD_ANSWERS
    return 0


if __name__ == "__main__":
    sys.exit(main())
