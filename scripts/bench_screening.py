"""What detecting a registration's duplicates costs among many people, against a bare lookup.

Run from the repository root::

    .venv/bin/python scripts/bench_screening.py                       # 100,000 people, SQLite
    .venv/bin/python scripts/bench_screening.py --people 20000 --registrations 300
    .venv/bin/python scripts/bench_screening.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

It fills one tenant's screening tables with --people generated people (names drawn
from a skewed distribution, so some tokens are common and their blocks large;
birth dates, e-mails, phones and some document numbers), written straight into the
tables as the projector would have left them. Then, for each of --registrations new
people (one in three a corrupted copy of someone there: a typo, swapped names, a new
e-mail, a missing field), it times in one transaction, rolled back after:

- baseline: a bare lookup of the ids in the blocks detection reads (those under the cap);
- detect: the projector's whole handler (keys, counts, blocks, scoring), then the
  view's flush (its writes), as a batch of one registration does.

It prints p50/p95/p99 of both, and of detection's CPU time in this thread (on a
shared machine wall-clock time counts the others' load; on PostgreSQL the server's
work is not in it), the ratio of the medians, how many of the planted
duplicates were raised (and other pairs besides), and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import Connection, delete, select  # noqa: E402

from adapters.screening.duplicate_tables import (  # noqa: E402
    screening_blocking_keys,
    screening_key_counts,
    screening_people,
)
from adapters.screening.duplicate_view import SqlDuplicatesView  # noqa: E402
from adapters.settings import Settings  # noqa: E402
from domain.screening.blocking import (  # noqa: E402
    BLOCK_CAP,
    PARTICIPANTS_KEY,
    blocking_keys,
    informative,
)
from domain.screening.forms import forms_of  # noqa: E402
from entrypoints.wiring.contexts import build  # noqa: E402
from projections.screening.duplicates import Person, detect  # noqa: E402

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "na",
    "ro",
    "sa",
    "te",
    "vi",
    "an",
    "el",
    "or",
    "us",
    "ber",
    "dan",
    "fel",
    "gor",
    "hal",
    "ien",
    "jo",
    "kri",
    "lu",
    "mar",
    "nor",
    "pet",
]
AT = datetime(2031, 1, 1, tzinfo=UTC)
CHUNK = 5000


def _names(rng: random.Random, count: int, parts: int) -> list[str]:
    return ["".join(rng.choice(SYLLABLES) for _ in range(parts)).title() for _ in range(count)]


class People:
    """Generated people: a few very common given names and surnames, many rare ones."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.given = _names(self.rng, 3000, 2)
        self.family = _names(self.rng, 40000, 3)
        self.number = 0

    def _skewed(self, names: list[str]) -> str:
        # Zipf-like: index ~ 1/u, so the first names are far more common than the last.
        index = int(len(names) ** self.rng.random()) - 1
        return names[min(index, len(names) - 1)]

    def record(self) -> dict[str, Any]:
        self.number += 1
        rng = self.rng
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))
        return {
            "first_name": self._skewed(self.given),
            "last_name": self._skewed(self.family),
            "email": f"person{self.number}@example.org",
            "phone": f"+4915{rng.randrange(10**8, 10**9)}" if rng.random() < 0.7 else None,
            "date_of_birth": born.isoformat(),
            "organisation": None,
            "nationality": rng.choice(["DE", "FR", "GB", "IT", None]),
            "document_number": f"P{rng.randrange(10**7)}" if rng.random() < 0.3 else None,
        }

    def variant(self, record: dict[str, Any]) -> dict[str, Any]:
        """The same person written otherwise."""
        rng, changed = self.rng, dict(record)
        changed["email"] = f"other{self.number}@example.com"
        kind = rng.randrange(3)
        if kind == 0:
            name = changed["first_name"]
            cut = rng.randrange(1, len(name))
            changed["first_name"] = name[:cut] + name[cut + 1 :] if len(name) > 3 else name
        elif kind == 1:
            changed["first_name"], changed["last_name"] = record["last_name"], record["first_name"]
        else:
            changed["phone"] = None
        return changed


def fill(
    conn: Connection, tenant: uuid.UUID, event: uuid.UUID, people: People, n: int
) -> list[dict[str, Any]]:
    """Writes n people, their keys and counts, as the projector would have left them."""
    kept: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    for i in range(n):
        record = people.record()
        forms = forms_of(record)
        participant = uuid.uuid4()
        rows.append(
            {
                "participant_id": participant,
                "tenant_id": tenant,
                "event_id": event,
                "details": record,
                "forms": forms.to_json(),
                "fingerprint": forms.fingerprint,
                "active": True,
                "updated_at": AT,
            }
        )
        person_keys = blocking_keys(forms)
        counts.update(person_keys)
        keys += [
            {"tenant_id": tenant, "key": k, "participant_id": participant} for k in person_keys
        ]
        if i % 50 == 0:
            kept.append({"participant_id": participant, "record": record})
        if len(rows) >= CHUNK or i == n - 1:
            conn.execute(screening_people.insert(), rows)
            conn.execute(screening_blocking_keys.insert(), keys)
            rows, keys = [], []
    counts[PARTICIPANTS_KEY] = n
    items = [{"tenant_id": tenant, "key": k, "participants": c} for k, c in counts.items()]
    for start in range(0, len(items), CHUNK):
        conn.execute(screening_key_counts.insert(), items[start : start + CHUNK])
    return kept


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=args.database_url, data_dir=Path(scratch) / "var", demo_tenant=False
        )
        (Path(scratch) / "var").mkdir()
        container = build(settings)
        engine = container.engine
        tenant, event = uuid.uuid4(), uuid.uuid4()
        people = People(args.seed)
        started = time.perf_counter()
        with engine.begin() as conn:
            kept = fill(conn, tenant, event, people, args.people)
        fill_seconds = time.perf_counter() - started

        baseline: list[float] = []
        detection: list[float] = []
        detection_cpu: list[float] = []
        found = missed = strangers = 0
        for i in range(args.registrations):
            source = people.rng.choice(kept) if i % 3 == 0 else None
            record = people.variant(source["record"]) if source else people.record()
            person = Person(uuid.uuid4(), tenant, event, record, forms_of(record))
            with engine.connect() as conn, conn.begin() as transaction:
                view = SqlDuplicatesView(conn)
                keys = blocking_keys(person.forms)
                counts = view.key_counts(tenant, keys)
                # The bare lookup: the ids in the blocks detection reads, nothing more.
                lookup = select(screening_blocking_keys.c.participant_id).where(
                    screening_blocking_keys.c.tenant_id == tenant,
                    screening_blocking_keys.c.key.in_(
                        sorted(k for k in keys if informative(k, counts.get(k, 0)))
                    ),
                )
                # Alternately first, so neither gets the other's warmed cache every time.
                for step in (0, 1) if i % 2 else (1, 0):
                    started = time.perf_counter()
                    if step == 0:
                        conn.execute(lookup).all()
                        baseline.append(time.perf_counter() - started)
                    else:
                        # What a batch of one does: detect, then send what it changed.
                        cpu = time.thread_time()
                        detect(person, view, AT)
                        view.flush()
                        detection.append(time.perf_counter() - started)
                        detection_cpu.append(time.thread_time() - cpu)
                paired = set(view.paired_with(person.participant_id))
                transaction.rollback()
            if source is not None:
                found += source["participant_id"] in paired
                missed += source["participant_id"] not in paired
                paired.discard(source["participant_id"])
            strangers += len(paired)
        with engine.begin() as conn:
            for table in (screening_people, screening_blocking_keys, screening_key_counts):
                conn.execute(delete(table).where(table.c.tenant_id == tenant))
        container.close()

    result = {
        "benchmark": "screening_detection",
        "backend": engine.dialect.name,
        "people": args.people,
        "registrations": args.registrations,
        "block_cap": BLOCK_CAP,
        "fill_seconds": round(fill_seconds, 1),
        "duplicates_found": found,
        "duplicates_missed": missed,
        "other_pairs_raised": strangers,
        "baseline": percentiles(baseline),
        "detect": percentiles(detection),
        "detect_cpu": percentiles(detection_cpu),
        "ratio_p50": statistics.median(detection) / statistics.median(baseline),
    }
    for name in ("baseline", "detect", "detect_cpu"):
        p = result[name]
        print(
            f"{name:10} p50 {p['p50_ms']:.2f} ms  p95 {p['p95_ms']:.2f} ms  "
            f"p99 {p['p99_ms']:.2f} ms"
        )
    print(f"detect / baseline (medians): {result['ratio_p50']:.1f}x")
    print(f"planted duplicates found {found}, missed {missed}; other pairs raised {strangers}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
