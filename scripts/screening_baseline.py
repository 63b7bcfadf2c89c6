"""The baseline the duplicate detector is compared with: recordlinkage's standard recipe.

A well-known open-source linker (recordlinkage, the `bench` extra of pyproject.toml) with
the configuration its documentation teaches for deduplication: light cleaning (case,
accents, Latin letters; e-mail lower-cased; phone and document digits), candidate pairs
from several blocking keys (surname; e-mail; phone; given name with year of birth; date of
birth with the surname's initial), Jaro-Winkler on the names (agreement at 0.85 and
above), exact comparison of date of birth, e-mail, phone, document number and nationality,
and either of two unsupervised classifiers: ECM (expectation-conditional maximisation, the
Fellegi-Sunter model fitted without labels), or agreements summed against a threshold.
It sees only the records, never who is who. (Blocking on the date of birth alone, ECM
fits a model in which a shared birthday is a match, and its precision falls to 0.6.)
Run from the repository root on the generator's lines::

    .venv/bin/python scripts/screening_people.py --entities 2000 | \\
        .venv/bin/python scripts/screening_baseline.py

and it prints the precision, recall and F1 of its pairs (the truth is read from the lines).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import pandas as pd
import recordlinkage
from anyascii import anyascii
from recordlinkage.preprocessing import clean
from screening_people import Labelled, Pair, Record, scores, truth_pairs

CLASSIFIERS = ("ecm", "sum")
NAME_AGREEMENT = 0.85  # Jaro-Winkler similarity counted as agreement
SUM_THRESHOLD = 3.5  # of the eight comparisons' agreements, for the "sum" classifier
DIGITS_KEPT = 9  # a phone's last digits, the same whether written nationally or not


def _latin(values: pd.Series) -> pd.Series:
    return clean(values.map(lambda v: anyascii(v) if isinstance(v, str) else v))


def _digits(value: Any, keep: int | None = None) -> str | None:
    if not isinstance(value, str):
        return None
    digits = "".join(c for c in value if c.isalnum()).upper()
    return (digits[-keep:] if keep else digits) or None


def frame(records: Sequence[Record]) -> pd.DataFrame:
    """The records as recordlinkage takes them, cleaned the usual way, indexed by position."""
    raw = pd.DataFrame.from_records(list(records))
    out = pd.DataFrame(index=raw.index)
    out["given"] = _latin(raw["first_name"])
    out["family"] = _latin(raw["last_name"])
    out["born"] = raw["date_of_birth"]
    out["born_year"] = raw["date_of_birth"].str[:4]
    out["family_initial"] = out["family"].str[:1]
    out["email"] = raw["email"].str.strip().str.lower()
    out["phone"] = raw["phone"].map(lambda v: _digits(v, DIGITS_KEPT))
    out["document"] = raw["document_number"].map(_digits)
    out["nationality"] = raw["nationality"]
    return out.replace({"": None})


def candidates(data: pd.DataFrame) -> pd.MultiIndex:
    indexer = recordlinkage.Index()
    indexer.block("family")
    indexer.block("email")
    indexer.block("phone")
    indexer.block(["given", "born_year"])
    indexer.block(["born", "family_initial"])
    return indexer.index(data)


def comparisons(data: pd.DataFrame, pairs: pd.MultiIndex) -> pd.DataFrame:
    compare = recordlinkage.Compare(n_jobs=1)
    for name in ("given", "family"):
        compare.string(name, name, method="jarowinkler", threshold=NAME_AGREEMENT, label=name)
    # A given name in the surname's place and the other way round (swapped order).
    compare.string("given", "family", method="jarowinkler", threshold=NAME_AGREEMENT, label="gf")
    for name in ("born", "email", "phone", "document", "nationality"):
        compare.exact(name, name, label=name)
    return compare.compute(pairs, data)


def classify(features: pd.DataFrame, classifier: str) -> pd.MultiIndex:
    if features.empty:
        return features.index
    if classifier == "sum":
        return features.index[features.sum(axis=1) >= SUM_THRESHOLD]
    model = recordlinkage.ECMClassifier(binarize=0.5)
    return model.fit_predict(features)


def predicted_pairs(
    records: Sequence[Record], classifiers: Sequence[str] = CLASSIFIERS
) -> dict[str, set[Pair]]:
    """Per classifier, the pairs of record positions the baseline takes for one person."""
    if len(records) < 2:
        return {name: set() for name in classifiers}
    data = frame(records)
    features = comparisons(data, candidates(data))
    return {
        name: {frozenset((int(a), int(b))) for a, b in classify(features, name)}
        for name in classifiers
    }


def linker(classifier: str) -> str:
    return f"recordlinkage {recordlinkage.__version__} ({classifier})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--classifier", choices=CLASSIFIERS, action="append", help="default: each of them"
    )
    args = parser.parse_args(argv)
    args.classifier = args.classifier or list(CLASSIFIERS)
    people = [json.loads(line) for line in sys.stdin if line.strip()]
    records = [Labelled(p["entity"], p["record"], tuple(p.get("kinds", ()))) for p in people]
    truth = truth_pairs(records)
    for name, found in predicted_pairs([r.record for r in records], args.classifier).items():
        result: dict[str, Any] = {"linker": linker(name), **scores(found, truth).as_dict()}
        print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
