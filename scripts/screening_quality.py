"""Precision, recall and F1 of the live duplicate detector, through its HTTP API.

Labelled people (scripts/screening_people.py) are registered through
``POST /v1/events/{id}/participants`` on a real ``accredit serve`` (SQLite, a throw-away
data directory, a free 127.0.0.1 port), the detector's candidate pairs are read back
through ``GET /v1/duplicates`` once every projection has caught up, and both are scored
against the truth. The baseline linker (scripts/screening_baseline.py, recordlinkage) runs
on the same records in the same run. Run from the repository root (the baseline needs
``.venv/bin/pip install -e '.[bench]'``)::

    .venv/bin/python scripts/screening_quality.py --entities 2000
    .venv/bin/python scripts/screening_quality.py --entities 10000 --seed 3 --threads 8
    .venv/bin/python scripts/screening_quality.py --dataset febrl3 --document

``--dataset febrl1`` to ``febrl4`` registers a public benchmark instead of the generator's
people (scripts/screening_febrl.py says how its records become registrations).

One run:

1. generates the records; spreads them over several events so that no event gets one
   e-mail twice (a registration per e-mail per event), and sets the tenant's duplicate
   scope to "tenant" so pairs across events count;
2. registers every record from a few client threads, retrying an answer that says to
   (429, 503) and moving a record the server finds a second e-mail in its event (409) to
   the next event; any other refusal is counted and reported, and its record left out of
   the truth (a detector cannot find a pair it was never given);
3. waits until /health/projections shows the duplicates projection without lag, reads
   every PENDING candidate, and maps each pair's participant ids back to the records;
4. prints a table (overall, recall per corruption, wrong pairs per hard-negative trait)
   and one JSON line at the end; stops the server and removes its data.

Only 127.0.0.1 is contacted. The exit status is 0 when both were measured, 1 when the run
failed (the server, a refusal), 3 when the detector's routes are not on this build (the
baseline's figures are still printed).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench_http import HOST, BenchError, clean_up, free_port, log, sigterm_as_interrupt
from screening_febrl import DATASETS, febrl
from screening_people import CORRUPTIONS, TRAITS, Labelled, Pair, Scores, generate, scores
from screening_people import truth_pairs as all_truth_pairs

# How a registration compares e-mails: one registration per e-mail per event.
from domain.registration.person import normalised_email

ACCREDIT = str(Path(sys.executable).with_name("accredit"))
STARTUP_SECONDS = 90.0
STOP_SECONDS = 30.0
RETRIES = 8
EXIT_FAILED, EXIT_NO_DETECTOR = 1, 3
CREATED, NOT_FOUND, CONFLICT = 201, 404, 409
RETRYABLE = frozenset({429, 503})
EVENTS_AT_LEAST = 4
DETECTOR_PROJECTION = "duplicates"  # the projection GET /v1/duplicates reads
GENERATOR = "generator"


# --------------------------------------------------------------------------- the server


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Service:
    """One `accredit serve` on its own data directory and port, and its demo admin key."""

    port: int
    log_path: Path
    process: subprocess.Popen[bytes]
    key: str = ""
    local: threading.local = field(default_factory=threading.local)

    def request(self, method: str, path: str, body: Any = None) -> Answer:
        """One exchange on this thread's connection; 429 and 503 are waited out and retried."""
        for attempt in range(RETRIES):
            answer = self._exchange(method, path, body)
            if answer.status not in RETRYABLE or attempt == RETRIES - 1:
                return answer
            wait = float(answer.headers.get("retry-after") or 0.5)
            time.sleep(min(wait, 5.0))
        raise AssertionError("unreachable")

    def _exchange(self, method: str, path: str, body: Any) -> Answer:
        headers = {"Authorization": f"Bearer {self.key}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for _ in range(2):  # a kept-alive connection the server closed is opened again
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                continue
            kind = response.getheader("Content-Type") or ""
            parsed = json.loads(raw) if raw and "json" in kind else raw
            lowered = {k.lower(): v for k, v in response.getheaders()}
            return Answer(response.status, lowered, parsed)
        raise BenchError(f"{method} {path}: no answer\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(f"  | {line}" for line in text.splitlines()[-lines:])

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BenchError(f"accredit serve exited\n{self.log_tail()}")

    def caught_up(self) -> bool:
        """The candidates' projection has applied every domain event (every one, without it).

        The others (registration, history) need not have: at 100,000 people they lag the
        detector by many minutes, and the candidates are read from its tables alone.
        """
        answer = self._exchange("GET", "/health/projections", None)
        if answer.status != 200 or not isinstance(answer.body, dict):
            return False
        projections = answer.body.get("projections", [])
        waited = [p for p in projections if p.get("name") == DETECTOR_PROJECTION] or projections
        return bool(waited) and all(
            p.get("state") == "current" and p.get("lag_events") == 0 for p in waited
        )

    def stop(self) -> None:
        """SIGTERM for a clean stop, then SIGKILL to the session it started."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_SECONDS)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_SECONDS)


def start_service(stack: contextlib.ExitStack, args: argparse.Namespace) -> Service:
    data = Path(tempfile.mkdtemp(prefix="accredit-quality-"))
    stack.callback(shutil.rmtree, data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCREDIT_")}
    port = free_port()
    env.update(
        ACCREDIT_DATA_DIR=str(data / "var"),
        ACCREDIT_HOST=HOST,
        ACCREDIT_PORT=str(port),
        ACCREDIT_WORKERS=str(args.workers),
        ACCREDIT_THREADS=str(args.server_threads),
        ACCREDIT_RATE_LIMITS=json.dumps(dict.fromkeys(("FREE", "STANDARD", "PREMIUM"))),
        ACCREDIT_READ_WAIT_SECONDS="30",
        ACCREDIT_POLL_INTERVAL_SECONDS="0.05",
        ACCREDIT_ACCESS_LOG="0",
        ACCREDIT_LOG_FORMAT="plain",
    )
    log_path, out_path = data / "serve.log", data / "serve.out"
    with log_path.open("wb") as err, out_path.open("wb") as out:
        process = subprocess.Popen(
            [ACCREDIT, "serve"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # Ctrl-C reaches us only; we stop it in order
        )
    service = Service(port, log_path, process)
    stack.callback(service.stop)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        service.check_alive()
        match = re.search(r"ACCREDIT_KEY=(acc_\w+)", out_path.read_text(errors="replace"))
        if match:
            service.key = match.group(1)
            with contextlib.suppress(OSError, BenchError):
                if service._exchange("GET", "/v1/tenant", None).status == 200:
                    log(f"accredit serve ready on {HOST}:{port}")
                    return service
        time.sleep(0.2)
    raise BenchError(f"accredit serve did not answer in {STARTUP_SECONDS} s\n{service.log_tail()}")


# --------------------------------------------------------------------------- the run


def spread(records: Sequence[Labelled], seed: int) -> list[int]:
    """An event for each record, at random among a few, never one e-mail twice in one."""
    rng = random.Random(seed)
    taken: list[set[str]] = [set() for _ in range(EVENTS_AT_LEAST)]
    out = []
    for labelled in records:
        email = normalised_email(labelled.record["email"] or "")
        free = [i for i, emails in enumerate(taken) if email not in emails]
        if not free:
            taken.append(set())
            free = [len(taken) - 1]
        choice = rng.choice(free)
        taken[choice].add(email)
        out.append(choice)
    return out


def create_events(service: Service, count: int) -> list[str]:
    ids = []
    for n in range(count):
        answer = service.request(
            "POST",
            "/v1/events",
            {
                "name": f"Screening quality {n + 1}",
                "starts_at": "2027-06-01T09:00:00+02:00",
                "ends_at": "2027-06-03T18:00:00+02:00",
                "time_zone": "Europe/Paris",
                "capacity": None,
            },
        )
        if answer.status != CREATED:
            raise BenchError(f"creating an event answered {answer.status}: {answer.body!r}")
        event_id = answer.body["id"]
        opened = service.request("POST", f"/v1/events/{event_id}/open-registration")
        if opened.status >= 300:
            raise BenchError(f"opening registration answered {opened.status}: {opened.body!r}")
        ids.append(event_id)
    return ids


@dataclass
class Registered:
    participant_ids: dict[str, int]  # participant id -> record position
    refused: Counter[str]
    examples: list[str]
    seconds: float


def register(
    service: Service, records: Sequence[Labelled], events: list[str], where: list[int], threads: int
) -> Registered:
    ids: dict[str, int] = {}
    refused: Counter[str] = Counter()
    examples: list[str] = []
    lock = threading.Lock()

    def one(position: int) -> None:
        # Should the server find two e-mails one where this script does not, the record
        # goes to the next event instead (the scope is the tenant, so pairs still count).
        for step in range(len(events)):
            event = events[(where[position] + step) % len(events)]
            path = f"/v1/events/{event}/participants"
            answer = service.request("POST", path, records[position].record)
            if answer.status != CONFLICT:
                break
        with lock:
            if answer.status == CREATED:
                ids[str(answer.body["id"])] = position
                return
            refused[str(answer.status)] += 1
            if len(examples) < 5:
                body = answer.body if isinstance(answer.body, dict) else {}
                detail = body.get("detail") or body.get("title") or answer.body
                examples.append(f"{answer.status} {detail} for {records[position].record}")

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        for done, _ in enumerate(pool.map(one, range(len(records))), 1):
            if done % 2000 == 0:
                service.check_alive()
                log(f"registered {done}/{len(records)}")
    return Registered(ids, refused, examples, time.monotonic() - started)


def wait_caught_up(service: Service, timeout: float) -> float:
    started = time.monotonic()
    deadline = started + timeout
    streak = 0
    while streak < 2:  # twice in a row: nothing came in between two readings
        service.check_alive()
        if time.monotonic() > deadline:
            raise BenchError(f"projections still lagging after {timeout} s\n{service.log_tail()}")
        streak = streak + 1 if service.caught_up() else 0
        time.sleep(0.5)
    return time.monotonic() - started


def candidate_pairs(
    service: Service, positions: dict[str, int], page: int
) -> tuple[set[Pair], int] | None:
    """Every PENDING candidate as a pair of record positions; None without the routes."""
    pairs: set[Pair] = set()
    read = 0
    cursor: str | None = None
    while True:
        query = {"status": "PENDING", "limit": str(page)}
        if cursor:
            query["cursor"] = cursor
        answer = service.request("GET", f"/v1/duplicates?{urlencode(query)}")
        if answer.status == NOT_FOUND and read == 0:
            return None
        if answer.status != 200:
            raise BenchError(f"reading the candidates answered {answer.status}: {answer.body!r}")
        for item in answer.body["items"]:
            read += 1
            a, b = (positions.get(str(p)) for p in item["participant_ids"])
            if a is not None and b is not None and a != b:
                pairs.add(frozenset((a, b)))
        cursor = answer.body.get("next_cursor")
        if not cursor:
            return pairs, read


# --------------------------------------------------------------------------- the figures


def breakdown(
    records: Sequence[Labelled], truth: set[Pair], found: set[Pair]
) -> dict[str, dict[str, float | int]]:
    """Recall among the true pairs showing each corruption; wrong pairs per trait."""
    out: dict[str, dict[str, float | int]] = {}
    for kind in CORRUPTIONS:
        wanted = {p for p in truth if any(kind in records[i].kinds for i in p)}
        if wanted:
            out[kind] = {
                "pairs": len(wanted),
                "recall": round(len(wanted & found) / len(wanted), 4),
            }
    wrong = found - truth
    for trait in TRAITS:
        out[trait] = {
            "wrong_pairs": sum(1 for p in wrong if all(trait in records[i].kinds for i in p))
        }
    return out


def baselines(records: Sequence[Labelled], kept: list[int]) -> dict[str, set[Pair]] | None:
    """Each baseline's pairs among the registered records, by their positions in `records`."""
    try:
        from screening_baseline import linker, predicted_pairs  # noqa: PLC0415 - bench extra
    except ImportError:
        log("no baseline: install it with .venv/bin/pip install -e '.[bench]'")
        return None
    started = time.monotonic()
    found = predicted_pairs([records[i].record for i in kept])
    log(f"baseline linked {len(kept)} records in {time.monotonic() - started:.1f} s")
    return {
        linker(name): {frozenset(kept[i] for i in pair) for pair in local}
        for name, local in found.items()
    }


def table(results: dict[str, Scores | None]) -> str:
    lines = [f"{'':26} {'precision':>9} {'recall':>7} {'F1':>7} {'TP':>7} {'FP':>6} {'FN':>6}"]
    for name, s in results.items():
        if s is None:
            lines.append(f"{name:26} {'(not on this build)':>45}")
            continue
        lines.append(
            f"{name:26} {s.precision:9.4f} {s.recall:7.4f} {s.f1:7.4f} "
            f"{s.true_positives:7d} {s.false_positives:6d} {s.false_negatives:6d}"
        )
    return "\n".join(lines)


def _short(name: str) -> str:
    """A column head: "detector", or "rl ecm" for "recordlinkage 0.16 (ecm)"."""
    if "(" not in name:
        return name[:12]
    return "rl " + name.rsplit("(", 1)[1].rstrip(")")


def kinds_table(by_kind: dict[str, dict[str, dict[str, float | int]]]) -> str:
    """Recall per corruption and wrong pairs per trait, one column per contender."""
    names = list(by_kind)
    heads = " ".join(f"{_short(name):>12}" for name in names)
    lines = [f"{'':26} {'pairs':>6} {heads}"]
    first = by_kind[names[0]]
    for kind in (*CORRUPTIONS, *TRAITS):
        if kind not in first:
            continue
        if kind in CORRUPTIONS:
            cells = " ".join(f"{by_kind[n][kind]['recall']:12.4f}" for n in names)
            lines.append(f"recall {kind:19} {first[kind]['pairs']:6d} {cells}")
        else:
            cells = " ".join(f"{by_kind[n][kind]['wrong_pairs']:12d}" for n in names)
            lines.append(f"wrong pairs {kind:14} {'':6} {cells}")
    return "\n".join(lines)


def labelled_records(args: argparse.Namespace) -> list[Labelled]:
    """The generator's people, or a FEBRL data set's records as registrations."""
    if args.dataset == GENERATOR:
        records = generate(args.entities, args.seed)
        log(f"{len(records)} records of {args.entities} people (seed {args.seed})")
        return records
    records, nameless = febrl(args.dataset, document=args.document)
    people = len({r.entity for r in records})
    used = "with soc_sec_id as document number" if args.document else "without soc_sec_id"
    log(f"{args.dataset}: {len(records)} records of {people} people, {used}; {nameless} nameless")
    return records


def run(stack: contextlib.ExitStack, args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    records = labelled_records(args)
    where = spread(records, args.seed)
    service = start_service(stack, args)
    scope = service.request("PUT", "/v1/screening/settings", {"duplicate_scope": "tenant"})
    has_detector = scope.status != NOT_FOUND
    if has_detector and scope.status >= 300:
        raise BenchError(f"setting the duplicate scope answered {scope.status}: {scope.body!r}")
    if not has_detector:
        log("PUT /v1/screening/settings is a 404: this build has no duplicate detector")
    events = create_events(service, max(where) + 1)
    done = register(service, records, events, where, args.threads)
    registered = len(done.participant_ids)
    log(f"registered {registered} in {done.seconds:.1f} s; refused {dict(done.refused)}")
    for example in done.examples:
        log(f"refused: {example}")
    # Only what was registered can be found: the truth is the pairs among those records.
    kept = set(done.participant_ids.values())
    truth = {p for p in all_truth_pairs(records) if p <= kept}
    catch_up = wait_caught_up(service, args.catch_up_timeout)
    log(f"detection caught up {catch_up:.1f} s after the last registration")
    read = candidate_pairs(service, done.participant_ids, args.page_size) if has_detector else None
    found: dict[str, set[Pair]] = {}
    if read is not None:
        found["detector"] = read[0]
    found.update(baselines(records, sorted(kept)) or {})
    results = {name: scores(pairs, truth) for name, pairs in found.items()}
    summary: dict[str, Any] = {
        "benchmark": "screening_quality",
        "dataset": args.dataset,
        "document": args.document if args.dataset != GENERATOR else None,
        "entities": args.entities if args.dataset == GENERATOR else None,
        "seed": args.seed if args.dataset == GENERATOR else None,
        "records": len(records),
        "registered": registered,
        "refused": dict(done.refused),
        "events": len(events),
        "truth_pairs": len(truth),
        "register_seconds": round(done.seconds, 1),
        "catch_up_seconds": round(catch_up, 1),
        "candidates_read": read[1] if read is not None else None,
        "detector": results["detector"].as_dict() if "detector" in results else None,
        "baselines": {n: r.as_dict() for n, r in results.items() if n != "detector"},
        "by_kind": {name: breakdown(records, truth, pairs) for name, pairs in found.items()},
    }
    print(table({"detector": None, **results}))
    if found:
        print(kinds_table(summary["by_kind"]))
    print(json.dumps(summary, sort_keys=True), flush=True)
    if done.refused:
        return summary, EXIT_FAILED
    return summary, 0 if read is not None else EXIT_NO_DETECTOR


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dataset",
        choices=(GENERATOR, *DATASETS),
        default=GENERATOR,
        help="the labelled people (scripts/screening_people.py) or a FEBRL data set",
    )
    parser.add_argument(
        "--document",
        action="store_true",
        help="FEBRL only: register soc_sec_id as the document number",
    )
    parser.add_argument("--entities", type=int, default=2000, help="people (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4, help="client threads registering")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--server-threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--page-size", type=int, default=100, help="candidates per read")
    parser.add_argument(
        "--catch-up-timeout", type=float, default=900.0, help="seconds to wait for the projections"
    )
    return parser.parse_args(argv)


@contextlib.contextmanager
def _stack() -> Iterator[contextlib.ExitStack]:
    stack = contextlib.ExitStack()
    try:
        yield stack
    finally:
        clean_up(stack)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with sigterm_as_interrupt(), _stack() as stack:
        try:
            _summary, status = run(stack, args)
        except BenchError as exc:
            log(f"failed: {exc}")
            return EXIT_FAILED
        except KeyboardInterrupt:
            log("interrupted; stopping the server and removing its data")
            return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
