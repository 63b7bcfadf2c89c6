"""The duplicate detector's figures without a server: its projection code on an in-memory view.

For tuning the comparison and its weights quickly: the records (the generator's, or a FEBRL
data set) go through `detect` of projections/screening/duplicates.py one after the other,
as registrations would, against a view kept in dictionaries. The figures are those of the
live detector up to the order the records arrive in; scripts/screening_quality.py, through
the HTTP API, is the measurement to report. Run from the repository root::

    .venv/bin/python scripts/screening_offline.py --entities 10000 --seed 2
    .venv/bin/python scripts/screening_offline.py --dataset febrl3 --document --wrong 20
"""

# The view keeps one tenant and no times: it takes the arguments detection passes, and ignores them.
# ruff: noqa: ARG002

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

from screening_febrl import DATASETS, febrl
from screening_people import CORRUPTIONS, Labelled, Pair, generate, scores, truth_pairs

from domain.screening.blocking import PARTICIPANTS_KEY
from domain.screening.forms import forms_of
from domain.screening.scoring import Score
from projections.screening.duplicates import Person, detect

_NAMESPACE = UUID("6f1c1d0e-8f57-4b7e-9a38-1f6d2b4f4c11")
TENANT = uuid5(_NAMESPACE, "tenant")


class MemoryView:
    """Just enough of DuplicatesView for detection of registrations."""

    def __init__(self) -> None:
        self.people_by_id: dict[UUID, Person] = {}
        self.blocks: dict[str, set[UUID]] = defaultdict(set)
        self.keys_of: dict[UUID, frozenset[str]] = {}
        self.pairs: dict[frozenset[UUID], Score] = {}

    def person(self, participant_id: UUID) -> Person | None:
        return self.people_by_id.get(participant_id)

    def people(self, participant_ids: Collection[UUID]) -> list[Person]:
        return [self.people_by_id[i] for i in participant_ids if i in self.people_by_id]

    def sharing(self, tenant_id: UUID, keys: Collection[str]) -> list[Person]:
        ids = set().union(*(self.blocks.get(k, set()) for k in keys)) if keys else set()
        return [self.people_by_id[i] for i in ids]

    def key_counts(self, tenant_id: UUID, keys: Collection[str]) -> Mapping[str, int]:
        out = {k: len(self.blocks[k]) for k in keys if self.blocks.get(k)}
        if PARTICIPANTS_KEY in keys:
            out[PARTICIPANTS_KEY] = len(self.people_by_id)
        return out

    def paired_with(self, participant_id: UUID) -> list[UUID]:
        return [next(iter(p - {participant_id})) for p in self.pairs if participant_id in p]

    def save(self, person: Person, at: datetime) -> None:
        self.people_by_id[person.participant_id] = person

    def block(self, person: Person, keys: frozenset[str]) -> None:
        for key in keys:
            self.blocks[key].add(person.participant_id)
        self.keys_of[person.participant_id] = keys

    def unblock(self, participant_id: UUID) -> None:
        for key in self.keys_of.pop(participant_id, frozenset()):
            self.blocks[key].discard(participant_id)

    def raise_pair(self, new: Person, other: Person, score: Score, at: datetime) -> None:
        self.pairs[frozenset((new.participant_id, other.participant_id))] = score

    def drop_pair(self, one: UUID, other: UUID) -> None:
        self.pairs.pop(frozenset((one, other)), None)


def detected(records: Sequence[Labelled]) -> tuple[set[Pair], dict[Pair, Score]]:
    """The candidate pairs of record positions once every record is registered."""
    view = MemoryView()
    position: dict[UUID, int] = {}
    at = datetime(2027, 1, 1, tzinfo=UTC)
    for n, labelled in enumerate(records):
        pid = uuid5(_NAMESPACE, str(n))
        position[pid] = n
        details: dict[str, Any] = {k: v for k, v in labelled.record.items() if v is not None}
        detect(Person(pid, TENANT, TENANT, details, forms_of(details)), view, at)
    found = {frozenset(position[i] for i in pair): s for pair, s in view.pairs.items()}
    return set(found), found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=("generator", *DATASETS), default="generator")
    parser.add_argument("--document", action="store_true")
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--wrong", type=int, default=0, help="print this many wrong pairs")
    parser.add_argument("--missed", type=int, default=0, help="print this many missed pairs")
    args = parser.parse_args(argv)
    if args.dataset == "generator":
        records = generate(args.entities, args.seed)
    else:
        records, _ = febrl(args.dataset, document=args.document)
    started = time.monotonic()
    found, explained = detected(records)
    truth = truth_pairs(records)
    s = scores(found, truth)
    print(
        f"{args.dataset} n={len(records)} truth={len(truth)} P={s.precision:.4f} "
        f"R={s.recall:.4f} F1={s.f1:.4f} FP={s.false_positives} FN={s.false_negatives} "
        f"({time.monotonic() - started:.0f} s)"
    )
    for kind in CORRUPTIONS:
        wanted = {p for p in truth if any(kind in records[i].kinds for i in p)}
        if wanted:
            print(f"  recall {kind:18} {len(wanted & found) / len(wanted):.3f} of {len(wanted)}")
    for pair in sorted(found - truth, key=sorted)[: args.wrong]:
        a, b = sorted(pair)
        print("WRONG", explained[pair].explanation()["total"], records[a].kinds, records[b].kinds)
        for f in explained[pair].fields:
            print(f"    {f.field:16} {f.level:18} {f.weight:7.2f}  {f.left!r} | {f.right!r}")
    for pair in sorted(truth - found, key=sorted)[: args.missed]:
        a, b = sorted(pair)
        print("MISSED", records[a].record, records[a].kinds)
        print("      ", records[b].record, records[b].kinds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
