"""Gate scans per second over HTTP, against a bare Falcon endpoint, with the capacity checked.

Measures ``POST /v1/events/{event_id}/scans`` as gates send it: 32 scanner devices,
each with its own API key (permission ``check-in:scan``, rate-limited as in
production), its own nonces and its own share of 10,000 approved participants,
scanning them in and out of an arena, a hall, and a VIP area inside the arena
whose capacity is reached during the run (so ZONE_FULL answers and exits that
free places happen). Every scan is a recorded domain event. The server is the
service's own ``accredit serve`` on PostgreSQL: gunicorn and the background
workers (projector, credential policy, scan decider) as production runs them.
A bare Falcon endpoint (``POST /bare/echo`` of scripts/bench_bare_app.py, reading
a JSON body and answering one) is served by gunicorn with the same settings.

Run from the repository root::

    .venv/bin/python scripts/bench_scans.py
    .venv/bin/python scripts/bench_scans.py --participants 2000 --duration 5 --rounds 1
    .venv/bin/python scripts/bench_scans.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres --clients 32

A throw-away database is created on the server and dropped at the end (also on
Ctrl-C or SIGTERM), and both servers are stopped. Only 127.0.0.1 is sent traffic.
One run:

1. prepares the database, a tenant and its ADMIN key, and starts ``accredit serve``
   and the bare server on free ports;
2. sets up through the HTTP API: an open event, its zones and 20 gates (ENTRY, EXIT
   and BOTH), one scanner key per device, the participants registered and
   approved (the default workflow has one approval step), and each badge code
   taken once, when the credential policy has issued it;
3. warms up, then alternates closed-loop rounds, bare and scans, then one paced
   round of each at --rate scans/s (latency counted from when each scan was due);
4. waits for the projections, reads the access application's log back and replays
   every scan decision: no zone ever over its capacity, no ZONE_FULL answered while
   there was room, and the occupancy table equal to entries minus exits;
5. prints scans/s, p50, p99, the ratio to bare, the result mix, the goals next to
   the figures, and one JSON line.

The exit status is non-zero when the benchmark could not run (1), when some answers
were not 200s (3), or when the final check found a violation (4); missing a
throughput goal is a result, not a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench_bare_app import ECHO_PATH
from bench_http import (
    HIGH_QUOTA,
    STARTUP_SECONDS,
    BenchError,
    Fixture,
    Server,
    _percentile,
    execute,
    free_port,
    log,
    positive_float,
    positive_int,
    prepare,
)
from scan_bench.devices import DeviceSpec
from scan_bench.fixture import (
    Api,
    SetupError,
    Venue,
    badges,
    create_venue,
    scanner_keys,
)
from scan_bench.load import Scanners, Tally
from scan_bench.replay import PlanZone, Replay, occupancy_differences, quoted

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
PROBE_PATH = "/v1/tenant"
DEVICE_TIER = "STANDARD"  # its quota raised for the run (--device-quota)
CATCH_UP_SECONDS = 180.0
EXIT_VIOLATIONS = 4

GOAL_CLOSED_RPS = 2500.0
GOAL_CLOSED_P99_MS = 35.0
GOAL_CLOSED_RATIO = 0.35
GOAL_PACED_P99_MS = 25.0
PACE_KEPT = 0.95  # of --rate, for a paced round to count


# --------------------------------------------------------------------------- servers


@dataclass
class ServeServer(Server):
    """`accredit serve`: gunicorn and every background worker, under its supervisor."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "entrypoints.cli", "serve"]


def start_servers(
    stack: contextlib.ExitStack, fixture: Fixture, logs: Path
) -> tuple[Server, Server]:
    bare = Server(
        name="bare",
        app="bench_bare_app:create_app()",
        port=free_port(),
        path="/bare",
        headers={},
        log_path=logs / "bare.log",
    )
    ours = ServeServer(
        name="ours",
        app="accredit serve",
        port=free_port(),
        path=PROBE_PATH,
        headers={"Authorization": f"Bearer {fixture.secret}"},
        log_path=logs / "serve.log",
    )
    while ours.port == bare.port:
        ours.port = free_port()
    for server in (bare, ours):
        stack.callback(server.stop)
        server.start(fixture.env)
    bare.wait_ready(STARTUP_SECONDS)
    ours.wait_ready(STARTUP_SECONDS)
    log(f"servers ready: bare on :{bare.port}, accredit serve on :{ours.port}")
    return bare, ours


# --------------------------------------------------------------------------- set-up


@dataclass(frozen=True)
class Scene:
    """What the set-up made: the venue and the devices that scan there."""

    venue: Venue
    devices: list[DeviceSpec]
    participants: int


def set_up(api: Api, args: argparse.Namespace) -> Scene:
    began = time.monotonic()
    venue = create_venue(api, args.vip_capacity)
    log(f"event {venue.event_id}: 3 zones (VIP capacity {args.vip_capacity}), 20 gates")
    secrets = scanner_keys(api, args.clients, DEVICE_TIER)
    taken = badges(api, venue.event_id, args.participants, log)
    run = uuid.uuid4().hex[:8]
    devices = [
        DeviceSpec(
            device_id=f"bench-{run}-gate-{n:02d}",
            secret=secret,
            badges=taken[n :: args.clients],
            seed=n,
        )
        for n, secret in enumerate(secrets)
    ]
    log(f"set-up done in {time.monotonic() - began:.0f} s")
    return Scene(venue, devices, len(taken))


def probe_scan(api: Api, scene: Scene, quota: int) -> None:
    """One scan of a code no badge has: the route is there, the key is limited as meant."""
    body = {
        "badge_code": "0" * 51,
        "checkpoint_id": scene.venue.layout.gates[0][0],
        "direction": "ENTRY",
        "device_id": "bench-probe",
        "nonce": uuid.uuid4().hex,
        "scanned_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "forced": False,
    }
    path = f"/v1/events/{scene.venue.event_id}/scans"
    answer = api.call("POST", path, body, scene.devices[0].secret)
    if answer.status in (404, 405):
        raise BenchError(f"POST {path} answered {answer.status}: this build has no scan route")
    if answer.status != 200:
        raise BenchError(f"the probe scan answered {answer.status}: {answer.body!r:.500}")
    if answer.headers.get("ratelimit-limit") != str(quota):
        raise BenchError(
            f"a device key's RateLimit-Limit is {answer.headers.get('ratelimit-limit')}, "
            f"not the run's quota {quota}"
        )
    log(f"probe scan: {answer.body.get('result')} ({answer.body.get('reason')})")


# --------------------------------------------------------------------------- measuring


@dataclass
class Phase:
    """One burst's figures."""

    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    ok: int
    errors: int
    statuses: dict[str, int]
    results: dict[str, int]
    rate_limits: list[str]
    missed: int
    client_cores: float  # CPU the client processes used, in cores over the burst


def phase_of(name: str, tally: Tally, elapsed: float) -> Phase:
    ordered = sorted(tally.latencies_ms)
    return Phase(
        name=name,
        rps=tally.ok / elapsed,
        p50_ms=_percentile(ordered, 0.50),
        p99_ms=_percentile(ordered, 0.99),
        ok=tally.ok,
        errors=tally.errors,
        statuses=dict(sorted(tally.statuses.items())),
        results=dict(tally.results.most_common()),
        rate_limits=sorted(tally.rate_limits),
        missed=tally.missed,
        client_cores=tally.client_cpu_s / elapsed,
    )


@dataclass
class Measurer:
    scanners: Scanners
    bare: Server
    ours: Server
    event_id: str
    args: argparse.Namespace

    def burst(self, name: str, target: str, seconds: float, rate: float | None = None) -> Phase:
        server = self.ours if target == "ours" else self.bare
        path = f"/v1/events/{self.event_id}/scans" if target == "ours" else ECHO_PATH
        try:
            tally, elapsed = self.scanners.run(
                server.port,
                path,
                bare=target == "bare",
                seconds=seconds,
                max_requests=self.args.scans,
                rate=rate,
            )
        except TimeoutError as exc:
            raise BenchError(str(exc)) from None
        server.check_alive()
        phase = phase_of(name, tally, elapsed)
        mix = ", ".join(f"{k} {v}" for k, v in phase.results.items())
        log(
            f"{name}: {phase.rps:,.0f}/s, p50 {phase.p50_ms:.2f} ms, p99 {phase.p99_ms:.2f} ms, "
            f"{phase.errors} errors {phase.statuses}, clients used {phase.client_cores:.2f} cores"
            + (f", {phase.missed} due scans missed" if phase.missed else "")
            + (f"; {mix}" if mix else "")
        )
        return phase

    def run(self) -> dict[str, list[Phase]]:
        args = self.args
        phases: dict[str, list[Phase]] = {"warmup": [], "bare": [], "ours": []}
        if args.warmup > 0:
            phases["warmup"].append(self.burst("warm-up bare", "bare", args.warmup))
            if not args.skip_scans:
                phases["warmup"].append(self.burst("warm-up scans", "ours", args.warmup))
        for n in range(1, args.rounds + 1):
            phases["bare"].append(self.burst(f"round {n} bare", "bare", args.duration))
            if not args.skip_scans:
                phases["ours"].append(self.burst(f"round {n} scans", "ours", args.duration))
        phases["bare_paced"] = [
            self.burst(f"paced bare {args.rate:g}/s", "bare", args.paced_seconds, args.rate)
        ]
        phases["ours_paced"] = []
        if not args.skip_scans:
            phases["ours_paced"].append(
                self.burst(f"paced scans {args.rate:g}/s", "ours", args.paced_seconds, args.rate)
            )
        return phases


# --------------------------------------------------------------------------- final checks


def wait_caught_up(server: Server) -> None:
    """Until every projection has every domain event recorded so far."""
    deadline = time.monotonic() + CATCH_UP_SECONDS
    last: Any = None
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request("GET", "/health/projections")
            last = json.loads(conn.getresponse().read())
        except (OSError, http.client.HTTPException, ValueError) as exc:
            last = exc
        finally:
            conn.close()
        if isinstance(last, dict) and all(
            p["state"] == "current" and p["lag_events"] == 0 for p in last["projections"]
        ):
            return
        time.sleep(0.5)
    raise BenchError(f"the projections did not catch up in {CATCH_UP_SECONDS:g} s: {last!r:.800}")


@dataclass
class Checked:
    replay: Replay
    scans_recorded: int
    plan_changes_during_scans: int
    occupancy_table: str | None  # where it was read from; None: not on this build
    occupancy_differences: list[str]


def check_log(fixture: Fixture, venue: Venue) -> Checked:
    """Replays the access application's log: every scan decision, against the plan of its time."""
    from eventsourcing.utils import get_topic  # noqa: PLC0415

    from adapters.settings import Settings  # noqa: PLC0415 - keeps the clients' imports light
    from domain.access.application import AccessApplication  # noqa: PLC0415
    from domain.access.gate_log import GateLog  # noqa: PLC0415
    from domain.access.venue import Venue as VenueAggregate  # noqa: PLC0415
    from domain.access.venue import venue_id  # noqa: PLC0415
    from entrypoints.wiring.contexts import build  # noqa: PLC0415

    decided, annulled = get_topic(GateLog.ScanDecided), get_topic(GateLog.ScanAnnulled)
    env = {**fixture.env, "ACCREDIT_THREADS": "1", "ACCREDIT_EVENTSTORE_POOL_SIZE": "1"}
    event_id = uuid.UUID(venue.event_id)
    the_venue = venue_id(fixture.tenant_id, event_id)
    with build(Settings.from_env(env)) as container:
        access = container.app(AccessApplication)

        def plan_at(version: int) -> dict[uuid.UUID, PlanZone]:
            aggregate: object = access.repository.get(the_venue, version=version)
            assert isinstance(aggregate, VenueAggregate)
            return {z.id: PlanZone(z.capacity, z.parent_id) for z in aggregate.zones.values()}

        replay = Replay(plan={})
        scans = plan_changes = 0
        after = 0
        while batch := access.recorder.select_notifications(
            start=after, limit=1000, inclusive_of_start=False
        ):
            for notification in batch:
                after = notification.id
                if notification.originator_id == the_venue:
                    replay.plan = plan_at(notification.originator_version)
                    plan_changes += scans > 0
                elif notification.topic == decided:
                    scans += 1
                    e = access.mapper.to_domain_event(notification)
                    assert isinstance(e, GateLog.ScanDecided)
                    replay.decided(
                        after, e.device_id, e.nonce, e.result, e.participant_id, e.zone_id,
                        e.entered, e.left,
                    )  # fmt: skip
                elif notification.topic == annulled:
                    e = access.mapper.to_domain_event(notification)
                    assert isinstance(e, GateLog.ScanAnnulled)
                    replay.annulled(after, e.device_id, e.nonce, e.entered, e.left)
        table, counts = occupancy_table(container.engine, event_id)
    differences = [] if counts is None else occupancy_differences(replay.occupancy(), counts)
    return Checked(replay, scans, plan_changes, table, differences)


def occupancy_table(
    engine: Any, event_id: uuid.UUID
) -> tuple[str | None, dict[uuid.UUID, int] | None]:
    """The occupancy projection's count of people inside each zone of the event."""
    try:
        from adapters.access.occupancy_tables import access_occupancy_zones  # noqa: PLC0415
    except ImportError:  # a build from before the occupancy projection
        return None, None
    from sqlalchemy import select  # noqa: PLC0415

    table = access_occupancy_zones
    query = select(table.c.zone_id, table.c.inside).where(table.c.event_id == event_id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    # Zones never entered count as none inside, as the replay counts them.
    counts = {uuid.UUID(str(z)): int(n) for z, n in rows if n}
    return f"{table.fullname}.inside", counts


# --------------------------------------------------------------------------- reporting


def _median(phases: Sequence[Phase], attribute: str) -> float:
    values = [getattr(p, attribute) for p in phases]
    return statistics.median(values) if values else float("nan")


def _figures(phases: Sequence[Phase]) -> dict[str, Any]:
    statuses: Counter[str] = Counter()
    results: Counter[str] = Counter()
    for phase in phases:
        statuses.update(phase.statuses)
        results.update(phase.results)
    return {
        "per_s": round(_median(phases, "rps"), 1),
        "p50_ms": round(_median(phases, "p50_ms"), 3),
        "p99_ms": round(_median(phases, "p99_ms"), 3),
        "requests": sum(p.ok + p.errors for p in phases),
        "errors": sum(p.errors for p in phases),
        "missed": sum(p.missed for p in phases),
        "client_cores": round(_median(phases, "client_cores"), 2),
        "statuses": dict(sorted(statuses.items())),
        "results": dict(results.most_common()),
        "rounds_per_s": [round(p.rps, 1) for p in phases],
    }


def _verdict(met: bool) -> str:
    return "meets" if met else "MISSES"


def report(
    args: argparse.Namespace,
    scene: Scene,
    phases: dict[str, list[Phase]],
    checked: Checked,
) -> dict[str, Any]:
    targets = {
        "bare": _figures(phases["bare"]),
        "ours": _figures(phases["ours"]),
        "bare_paced": _figures(phases["bare_paced"]),
        "ours_paced": _figures(phases["ours_paced"]),
    }
    bare, ours, paced = targets["bare"], targets["ours"], targets["ours_paced"]
    ratio = ours["per_s"] / bare["per_s"] if bare["per_s"] else float("nan")
    per_round = [
        round(o.rps / b.rps, 3) if b.rps else None
        for b, o in zip(phases["bare"], phases["ours"], strict=False)
    ]
    replay = checked.replay
    zone_names = {uuid.UUID(z): code for code, z in scene.venue.layout.zones.items()}
    vip = uuid.UUID(scene.venue.layout.zones["vip"])
    goals = {
        "closed_per_s": (ours["per_s"] >= GOAL_CLOSED_RPS, f">= {GOAL_CLOSED_RPS:,.0f}/s"),
        "closed_p99_ms": (ours["p99_ms"] <= GOAL_CLOSED_P99_MS, f"<= {GOAL_CLOSED_P99_MS:g} ms"),
        "closed_ratio": (ratio >= GOAL_CLOSED_RATIO, f">= {GOAL_CLOSED_RATIO} of bare"),
        # Only a round that kept the pace counts: none missed, the rate reached.
        "paced_p99_ms": (
            paced["p99_ms"] <= GOAL_PACED_P99_MS
            and paced["missed"] == 0
            and paced["per_s"] >= PACE_KEPT * args.rate,
            f"<= {GOAL_PACED_P99_MS:g} ms",
        ),
        "capacity_violations": (not replay.over_capacity and not replay.full_with_room, "0"),
    }
    summary: dict[str, Any] = {
        "benchmark": "http_gate_scans_vs_bare_falcon",
        "command": "POST /v1/events/{event_id}/scans",
        "baseline": f"bare Falcon POST {ECHO_PATH}, same gunicorn settings",
        "database": "postgresql",
        "server": "accredit serve",
        "participants": scene.participants,
        "devices": len(scene.devices),
        "device_tier": DEVICE_TIER,
        "device_quota_per_window": args.device_quota,
        "vip_capacity": args.vip_capacity,
        "clients": len(scene.devices),
        "client_processes": args.client_processes,
        "workers": args.workers,
        "threads": args.threads,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "paced_rate": args.rate,
        "paced_seconds": args.paced_seconds,
        "cpus": os.cpu_count(),
        "load_average_1m_start_end": [args.load_at_start, round(os.getloadavg()[0], 2)],
        "python": platform.python_version(),
        "targets": targets,
        "ratio": round(ratio, 3),
        "ratio_per_round": per_round,
        "rate_limit_headers_seen": sorted(
            {limit for p in phases["ours"] + phases["ours_paced"] for limit in p.rate_limits}
        ),
        "zone_full_answers": ours["results"].get("ZONE_FULL", 0)
        + paced["results"].get("ZONE_FULL", 0),
        "checks": {
            "scans_recorded": checked.scans_recorded,
            "results_recorded": dict(replay.results.most_common()),
            "annulments": replay.annulments,
            "peak_inside": {zone_names.get(z, str(z)): n for z, n in replay.peak.items()},
            "vip_full_answers": replay.full_answers.get(vip, 0),
            "vip_reached_capacity": replay.peak.get(vip, 0) >= args.vip_capacity,
            "over_capacity": len(replay.over_capacity),
            "zone_full_with_room": len(replay.full_with_room),
            "duplicate_decisions": len(replay.duplicates),
            "plan_changes_during_scans": checked.plan_changes_during_scans,
            "occupancy_table": checked.occupancy_table or "skipped: no occupancy table",
            "occupancy_differences": len(checked.occupancy_differences),
        },
        "goals": {name: {"met": met, "goal": goal} for name, (met, goal) in goals.items()},
    }
    _print_report(args, scene, targets, ratio, per_round, goals, checked, zone_names)
    print(json.dumps(summary, sort_keys=True), flush=True)
    return summary


def _print_report(
    args: argparse.Namespace,
    scene: Scene,
    targets: dict[str, dict[str, Any]],
    ratio: float,
    per_round: list[float | None],
    goals: dict[str, tuple[bool, str]],
    checked: Checked,
    zone_names: dict[uuid.UUID, str],
) -> None:
    print()
    print(
        f"Scan benchmark on PostgreSQL (accredit serve): {len(scene.devices)} devices over "
        f"{args.client_processes} client processes, {args.workers} workers x {args.threads} "
        f"threads, {scene.participants:,} participants, VIP capacity {args.vip_capacity}; "
        f"{args.rounds} closed-loop rounds of {args.duration:g} s (medians), paced "
        f"{args.rate:g}/s for {args.paced_seconds:g} s; load average {args.load_at_start} at "
        f"the start, {os.getloadavg()[0]:.2f} at the end, on {os.cpu_count()} CPUs"
    )
    header = f"{'target':<34} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'missed':>7}"
    print(header)
    print("-" * len(header))
    labels = {
        "bare": f"bare POST {ECHO_PATH}, closed-loop",
        "ours": "scans, closed-loop",
        "bare_paced": f"bare POST {ECHO_PATH}, paced",
        "ours_paced": "scans, paced",
    }
    for name, figures in targets.items():
        if figures["requests"]:
            print(
                f"{labels[name]:<34} {figures['per_s']:>9,.0f} {figures['p50_ms']:>8.2f} "
                f"{figures['p99_ms']:>8.2f} {figures['errors']:>7} {figures['missed']:>7}"
            )
    print(f"ratio scans/bare closed-loop: {ratio:.3f}; per round: {per_round}")
    for name in ("ours", "ours_paced"):
        mix = targets[name]["results"]
        if mix:
            total = sum(mix.values())
            shares = ", ".join(f"{k} {v:,} ({v / total:.1%})" for k, v in mix.items())
            print(f"result mix, {labels[name]}: {shares}")
    replay = checked.replay
    print(
        f"log replay: {checked.scans_recorded:,} scan decisions, {replay.annulments} annulments; "
        f"peak inside: " + ", ".join(f"{zone_names.get(z, z)} {n}" for z, n in replay.peak.items())
    )
    print(
        f"  over capacity: {len(replay.over_capacity)}; ZONE_FULL with room: "
        f"{len(replay.full_with_room)}; duplicate decisions: {len(replay.duplicates)}"
    )
    vip = next(z for z, code in zone_names.items() if code == "vip")
    if replay.peak.get(vip, 0) < args.vip_capacity:
        print(
            f"  WARNING: the VIP area never filled (peak {replay.peak.get(vip, 0)} of "
            f"{args.vip_capacity}): ZONE_FULL was not exercised; run longer or lower "
            "--vip-capacity"
        )
    for line in quoted([*replay.over_capacity, *replay.full_with_room, *replay.duplicates]):
        print(f"    {line}")
    if checked.occupancy_table is None:
        print("  occupancy table: SKIPPED (this build has no occupancy projection)")
    else:
        print(
            f"  occupancy table ({checked.occupancy_table}) against entries minus exits: "
            f"{len(checked.occupancy_differences)} differences"
        )
        for line in quoted(checked.occupancy_differences):
            print(f"    {line}")
    print("goals:")
    for name, (met, goal) in goals.items():
        print(f"  {name:<20} {goal:<18} {_verdict(met)}")


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
        description="Gate scans/s over HTTP on accredit serve against a bare Falcon endpoint, "
        "with the recorded decisions checked against the zones' capacities.",
    )
    parser.add_argument("--participants", type=positive_int, default=10_000)
    parser.add_argument("--clients", type=positive_int, default=32, help="scanner devices")
    parser.add_argument("--client-processes", type=positive_int, default=2)
    parser.add_argument("--duration", type=positive_float, default=10.0, help="s per round")
    parser.add_argument("--rounds", type=positive_int, default=2, help="closed-loop, per target")
    parser.add_argument("--warmup", type=float, default=3.0, help="s per target, unmeasured")
    parser.add_argument(
        "--scans", type=positive_int, default=500_000, help="at most this many per round"
    )
    parser.add_argument("--rate", type=positive_float, default=1000.0, help="paced scans/s")
    parser.add_argument("--paced-seconds", type=positive_float, default=15.0)
    parser.add_argument("--vip-capacity", type=positive_int, default=300)
    parser.add_argument(
        "--device-quota",
        type=positive_int,
        default=60_000,
        help=f"requests per rate-limit window of each device's {DEVICE_TIER} key",
    )
    parser.add_argument("--workers", type=positive_int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=positive_int, default=4, help="threads per worker")
    parser.add_argument(
        "--database-url",
        type=_loopback_postgres,
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL server to create a throw-away database on ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    parser.add_argument(
        "--skip-scans",
        action="store_true",
        help="set up, measure only the bare endpoint, and check the (empty) log: "
        "for a build without the scan route",
    )
    return parser.parse_args(argv)


def run(stack: contextlib.ExitStack, args: argparse.Namespace) -> dict[str, Any]:
    """One whole benchmark; every cleanup goes on the stack, closed by the caller."""
    # The machine is shared: how busy it was says how far to trust the absolute figures.
    args.load_at_start = round(os.getloadavg()[0], 2)
    fixture = prepare(stack, args)
    # The set-up key keeps PREMIUM's quota out of the way; each device's key is limited
    # to --device-quota, counted in the database as in production.
    fixture.env["ACCREDIT_RATE_LIMITS"] = json.dumps(
        {"PREMIUM": HIGH_QUOTA, DEVICE_TIER: args.device_quota}
    )
    logs = Path(tempfile.mkdtemp(prefix="accredit-bench-logs-"))
    if args.keep_logs:
        log(f"server logs in {logs}")
    else:
        stack.callback(shutil.rmtree, logs, ignore_errors=True)
    bare, ours = start_servers(stack, fixture, logs)
    api = Api(ours.port, fixture.secret)
    try:
        scene = set_up(api, args)
    except (SetupError, OSError, http.client.HTTPException) as exc:
        raise BenchError(f"set-up failed: {exc}\n{ours.log_tail()}") from exc
    if not args.skip_scans:
        probe_scan(api, scene, args.device_quota)
    scanners = Scanners(scene.devices, scene.venue.layout, args.client_processes)
    stack.callback(scanners.close)
    phases = Measurer(scanners, bare, ours, scene.venue.event_id, args).run()
    scanners.close()
    wait_caught_up(ours)
    began = time.monotonic()
    checked = check_log(fixture, scene.venue)
    log(f"log replayed in {time.monotonic() - began:.1f} s")
    summary = report(args, scene, phases, checked)
    replay = checked.replay
    summary["violations"] = bool(
        replay.over_capacity
        or replay.full_with_room
        or replay.duplicates
        or checked.occupancy_differences
    )
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    found: dict[str, Any] = {}

    def bench(stack: contextlib.ExitStack, args: argparse.Namespace) -> dict[str, Any]:
        found.update(run(stack, args))
        return found

    status = execute(bench, args)
    if status == 0 and found.get("violations"):
        log("the final check found violations: see above")
        return EXIT_VIOLATIONS
    return status


if __name__ == "__main__":
    sys.exit(main())
