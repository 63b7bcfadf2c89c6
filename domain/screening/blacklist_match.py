"""Whether a participant is someone the blacklist bars, and why: a pure decision.

The same document number blocks (identity documents are issued to one person). A
name close to the entry's, in any order, script, case or accent, holds the
registration for review when the date of birth or the e-mail agrees too: a name
alone is not enough, namesakes are common. Anything else clears. Only entries in
force for the participant's event are compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from rapidfuzz.distance import JaroWinkler

from domain.screening.blacklist import Entry
from domain.screening.forms import (
    PersonForms,
    canonical_document,
    canonical_email,
    forms_of,
    name_tokens,
    significant,
)

# Every token of the entry's name finds one of the participant's at least this close
# (Jaro-Winkler), and the tokens together average at least STRONG_NAME: "Jon"/"John",
# "Müller"/"Mueller", "Smith"/"Smyth" pass; "Jon"/"Jan" (a twin's name) does not.
TOKEN_FLOOR = 0.88
STRONG_NAME = 0.9


class Outcome(StrEnum):
    CLEAR = "clear"
    HOLD = "hold"  # the registration waits for a reviewer instead of approval
    BLOCK = "block"  # the participant's credential opens nothing

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Outcome.CLEAR: 0, Outcome.HOLD: 1, Outcome.BLOCK: 2}


@dataclass(frozen=True)
class Decision:
    """What screening decided, against which entry, and the comparison that explains it."""

    outcome: Outcome
    entry_id: UUID | None = None
    explanation: dict[str, Any] = field(default_factory=dict)


CLEAR = Decision(Outcome.CLEAR)


def _tokens(first: str | None, last: str | None) -> tuple[str, ...]:
    return significant(name_tokens(first)) + significant(name_tokens(last))


def name_similarity(
    entry: tuple[str, ...], person: tuple[str, ...]
) -> tuple[float, list[list[Any]]]:
    """How close the person's name is to the entry's, whatever the order of the words.

    Each of the entry's tokens is paired with the closest unused token of the person's
    (a middle name the entry lacks costs nothing); the answer is the mean similarity
    and the pairs, or 0 when a token finds no partner at the floor.
    """
    if not entry or not person:
        return 0.0, []
    left = list(person)
    pairs: list[list[Any]] = []
    # The most distinctive (longest) tokens choose first, so short ones cannot steal them.
    for token in sorted(entry, key=lambda t: (-len(t), t)):
        if not left:
            return 0.0, pairs
        best = max(left, key=lambda t: (JaroWinkler.normalized_similarity(token, t), t))
        score = JaroWinkler.normalized_similarity(token, best)
        pairs.append([token, best, round(score, 3)])
        if score < TOKEN_FLOOR:
            return 0.0, pairs
        left.remove(best)
    return sum(p[2] for p in pairs) / len(pairs), pairs


def compare(entry: Entry, person: PersonForms) -> Decision:
    """The decision one entry alone makes about a person."""
    document = canonical_document(entry.document_number)
    if document is not None and document == person.document:
        return Decision(
            Outcome.BLOCK,
            entry.id,
            {"entry_id": str(entry.id), "rule": "document_number", "fields": ["document_number"]},
        )
    wanted = _tokens(entry.first_name, entry.last_name)
    similarity, pairs = name_similarity(wanted, person.core_tokens)
    if similarity < STRONG_NAME:
        return CLEAR
    agreeing = []
    if entry.date_of_birth is not None and entry.date_of_birth == person.date_of_birth:
        agreeing.append("date_of_birth")
    email = canonical_email(entry.email)
    if email is not None and email == person.email:
        agreeing.append("email")
    if not agreeing:
        return CLEAR
    return Decision(
        Outcome.HOLD,
        entry.id,
        {
            "entry_id": str(entry.id),
            "rule": f"name+{agreeing[0]}",
            "fields": ["name", *agreeing],
            "name_similarity": round(similarity, 3),
            "name_pairs": pairs,
        },
    )


def screen(
    details: Mapping[str, Any], event_id: UUID, entries: Iterable[Entry], at: datetime
) -> Decision:
    """The decision about a participant of the event with these details, at that moment.

    Of several matching entries the gravest decides; among equals, the closest name,
    then the lowest entry id, so the same entries always give the same decision.
    """
    person = forms_of(details)
    decisions = [compare(e, person) for e in entries if e.applies_to(event_id) and e.in_force(at)]
    matched = [d for d in decisions if d.outcome is not Outcome.CLEAR]
    if not matched:
        return CLEAR
    return min(
        matched,
        key=lambda d: (
            -d.outcome.rank,
            -float(d.explanation.get("name_similarity", 1.0)),
            str(d.entry_id),
        ),
    )
