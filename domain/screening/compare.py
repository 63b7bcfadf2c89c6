"""How two people's forms agree, field by field: a comparison level per field.

Levels are what the scores weigh; they say nothing about how much each counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import jellyfish
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from domain.screening.forms import PersonForms, significant

MISSING = "missing"  # either side has no value: no evidence either way


class TokenMatch(StrEnum):
    """How one name token of a person matches one of the other's."""

    EXACT = "exact"
    CLOSE = "close"  # a typo or a transliteration away
    SHORT = "short"  # an initial or a short form ("j", "alex" of "alexander")


def token_match(a: str, b: str) -> TokenMatch | None:
    """How two name tokens match, if they do."""
    if a == b:
        return TokenMatch.EXACT
    if min(len(a), len(b)) >= 4 and DamerauLevenshtein.distance(a, b) <= 1:
        return TokenMatch.CLOSE
    if JaroWinkler.similarity(a, b) >= 0.92:
        return TokenMatch.CLOSE
    if (
        a[0] == b[0]
        and min(len(a), len(b)) >= 3
        and jellyfish.metaphone(a) == jellyfish.metaphone(b)
    ):
        return TokenMatch.CLOSE
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and (len(short) == 1 or len(short) >= 3):
        return TokenMatch.SHORT
    return None


@dataclass(frozen=True)
class NameComparison:
    """The level two names agree at, and which tokens matched how."""

    level: str
    matched: tuple[tuple[str, str, TokenMatch], ...] = ()
    extra: int = 0  # tokens of the longer name nothing matched (a middle name, a second name)


class NameLevel(StrEnum):
    EXACT = "exact"  # the same tokens, in any order
    FUZZY = "fuzzy"  # as many tokens, each matched, some with a typo or a short form
    SUBSET = "subset"  # every token of the shorter name matched; the longer has more
    GIVEN_DIFFERS = "given_differs"  # the family name agrees, a given name does not: siblings
    PARTIAL = "partial"  # some tokens agree, others do not
    DISAGREE = "disagree"


_PREFERENCE = (TokenMatch.EXACT, TokenMatch.CLOSE, TokenMatch.SHORT)


def _matches(
    mine: tuple[str, ...], theirs: tuple[str, ...]
) -> tuple[list[tuple[str, str, TokenMatch]], list[str], list[str]]:
    """Matches tokens greedily, best kind first; returns the matches and what is left."""
    left_a, left_b = list(mine), list(theirs)
    matched: list[tuple[str, str, TokenMatch]] = []
    for kind in _PREFERENCE:
        for a in list(left_a):
            for b in left_b:
                if token_match(a, b) is kind:
                    matched.append((a, b, kind))
                    left_a.remove(a)
                    left_b.remove(b)
                    break
    return matched, left_a, left_b


def compare_names(a: PersonForms, b: PersonForms) -> NameComparison:
    """Compares the names as token sets (order free), particles left out."""
    mine, theirs = a.core_tokens, b.core_tokens
    if not mine or not theirs:
        return NameComparison(MISSING)
    matched, left_a, left_b = _matches(mine, theirs)
    found = tuple(sorted(matched))
    if not matched:
        return NameComparison(NameLevel.DISAGREE)
    if left_a and left_b:
        family = set(significant(a.family)) | set(significant(b.family))
        siblings = any(x in family or y in family for x, y, _ in matched) and all(
            t not in family for t in left_a + left_b
        )
        level = NameLevel.GIVEN_DIFFERS if siblings else NameLevel.PARTIAL
        return NameComparison(level, found, len(left_a) + len(left_b))
    if left_a or left_b:
        return NameComparison(NameLevel.SUBSET, found, len(left_a) + len(left_b))
    if all(kind is TokenMatch.EXACT for _, _, kind in matched):
        return NameComparison(NameLevel.EXACT, found)
    return NameComparison(NameLevel.FUZZY, found)


def compare_birth_dates(a: date | None, b: date | None) -> str:
    """exact, day_month_swapped, one_digit_off, year_only, disagree or missing."""
    if a is None or b is None:
        return MISSING
    if a == b:
        return "exact"
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return "day_month_swapped"
    if DamerauLevenshtein.distance(a.isoformat(), b.isoformat()) <= 1:
        return "one_digit_off"  # one digit mistyped, or two neighbours swapped
    if a.year == b.year:
        return "year_only"
    return "disagree"


def compare_emails(a: str | None, b: str | None) -> str:
    """exact (the same mailbox), local_part_similar, disagree or missing."""
    if a is None or b is None:
        return MISSING
    if a == b:
        return "exact"
    local_a, local_b = a.rpartition("@")[0], b.rpartition("@")[0]
    if local_a == local_b or JaroWinkler.similarity(local_a, local_b) >= 0.92:
        return "local_part_similar"
    return "disagree"


LAST_DIGITS = 8


def compare_phones(a: str | None, b: str | None) -> str:
    """exact, last_digits (the same subscriber number written another way), disagree, missing."""
    if a is None or b is None:
        return MISSING
    if a == b:
        return "exact"
    digits_a, digits_b = a.lstrip("+"), b.lstrip("+")
    if min(len(digits_a), len(digits_b)) >= LAST_DIGITS and (
        digits_a[-LAST_DIGITS:] == digits_b[-LAST_DIGITS:]
    ):
        return "last_digits"
    return "disagree"


def compare_documents(a: str | None, b: str | None) -> str:
    """exact, one_edit (a typo), disagree or missing."""
    if a is None or b is None:
        return MISSING
    if a == b:
        return "exact"
    if min(len(a), len(b)) >= 5 and DamerauLevenshtein.distance(a, b) <= 1:
        return "one_edit"
    return "disagree"


def compare_organisations(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    """exact (the same tokens), overlap, disagree or missing."""
    if not a or not b:
        return MISSING
    if a == b:
        return "exact"
    return "overlap" if set(a) & set(b) else "disagree"


def compare_nationalities(a: str | None, b: str | None) -> str:
    """exact, disagree or missing."""
    if a is None or b is None:
        return MISSING
    return "exact" if a == b else "disagree"
