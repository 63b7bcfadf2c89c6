"""How two people's forms agree, field by field: a comparison level per field.

Levels are what the scores weigh; they say nothing about how much each counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from domain.screening.forms import PersonForms, significant
from domain.screening.nicknames import nickname_equivalent, related

MISSING = "missing"  # either side has no value: no evidence either way


class TokenMatch(StrEnum):
    """How one name token of a person matches one of the other's."""

    EXACT = "exact"
    CLOSE = "close"  # a typo or a transliteration away
    NICKNAME = "nickname"  # one is the other's nickname ("bob" of "robert")
    SIMILAR = "similar"  # two slips away in a long name, or much alike ("nguyewh", "nguyen")
    SHORT = "short"  # an initial or a short form ("j", "alex" of "alexander")


def _one_slip(a: str, b: str) -> bool:
    """A typo apart (one letter wrong, missing, extra, or two swapped) in names of four or more."""
    return min(len(a), len(b)) >= 4 and DamerauLevenshtein.distance(a, b) <= 1


# Tokens at least this long two edits apart, or this alike, are similar.
SIMILAR_LENGTH = 5
SIMILAR_JW = 0.85


@lru_cache(maxsize=1 << 16)
def token_match(a: str, b: str) -> TokenMatch | None:
    """How two name tokens match, if they do."""
    if a == b:
        return TokenMatch.EXACT
    if _one_slip(a, b):
        return TokenMatch.CLOSE
    if JaroWinkler.similarity(a, b) >= 0.92:
        return TokenMatch.CLOSE
    if (
        a[0] == b[0]
        and min(len(a), len(b)) >= 3
        and jellyfish.metaphone(a) == jellyfish.metaphone(b)
    ):
        return TokenMatch.CLOSE
    if (
        nickname_equivalent(a, b)
        or any(_one_slip(n, b) for n in related(a))
        or any(_one_slip(n, a) for n in related(b))
    ):
        return TokenMatch.NICKNAME  # or a typo of one ("Bceky" for "Rebecca")
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and (len(short) == 1 or len(short) >= 3):
        return TokenMatch.SHORT
    if len(short) >= SIMILAR_LENGTH and (
        DamerauLevenshtein.distance(a, b) <= 2 or JaroWinkler.similarity(a, b) >= SIMILAR_JW
    ):
        return TokenMatch.SIMILAR
    return None


@dataclass(frozen=True)
class NameComparison:
    """The level two names agree at, and which tokens matched how."""

    level: str
    matched: tuple[tuple[str, str, TokenMatch], ...] = ()
    extra: int = 0  # tokens of the longer name nothing matched (a middle name, a second name)
    conflicting: int = 0  # of those, how many stand against a token of the other unmatched too


class NameLevel(StrEnum):
    EXACT = "exact"  # the same tokens, in any order
    FUZZY = "fuzzy"  # as many tokens, each matched, some with a typo or a short form
    SUBSET = "subset"  # every token of the shorter name matched; the longer has more
    GIVEN_DIFFERS = "given_differs"  # the family name agrees, a given name does not: siblings
    PARTIAL = "partial"  # some tokens agree, others do not
    DISAGREE = "disagree"


_PREFERENCE = tuple(TokenMatch)


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


def _compare_tokens(
    mine: tuple[str, ...], theirs: tuple[str, ...], family: set[str]
) -> NameComparison:
    matched, left_a, left_b = _matches(mine, theirs)
    found = tuple(sorted(matched))
    if not matched:
        return NameComparison(NameLevel.DISAGREE)
    if left_a and left_b:
        # Whichever order each side wrote its names in, a shared family name with the
        # rest differing is the mark of a family.
        siblings = any(x in family or y in family for x, y, _ in matched)
        level = NameLevel.GIVEN_DIFFERS if siblings else NameLevel.PARTIAL
        conflicting = min(len(left_a), len(left_b))
        return NameComparison(level, found, len(left_a) + len(left_b) - conflicting, conflicting)
    if left_a or left_b:
        return NameComparison(NameLevel.SUBSET, found, len(left_a) + len(left_b))
    if all(kind is TokenMatch.EXACT for _, _, kind in matched):
        return NameComparison(NameLevel.EXACT, found)
    return NameComparison(NameLevel.FUZZY, found)


def _joined(forms: PersonForms) -> list[tuple[str, ...]]:
    """The name with the words of one field run together ("ja ck" as "jack")."""
    given, family = significant(forms.given), significant(forms.family)
    out = []
    if len(given) > 1:
        out.append(tuple(sorted({"".join(given), *family})))
    if len(family) > 1:
        out.append(tuple(sorted({*given, "".join(family)})))
    return out


_CONFLICTS = frozenset({NameLevel.DISAGREE, NameLevel.PARTIAL, NameLevel.GIVEN_DIFFERS})


def compare_names(a: PersonForms, b: PersonForms) -> NameComparison:
    """Compares the names as token sets (order free), particles left out.

    Names that conflict are compared again with one field's words run together, for a
    space typed inside a name ("Ja ck" for "Jack", "Mary Ann" for "Maryann").
    """
    mine, theirs = a.core_tokens, b.core_tokens
    if not mine or not theirs:
        return NameComparison(MISSING)
    family = set(significant(a.family)) | set(significant(b.family))
    result = _compare_tokens(mine, theirs, family)
    if result.level not in _CONFLICTS:
        return result
    for one, other in [(j, theirs) for j in _joined(a)] + [(mine, j) for j in _joined(b)]:
        joined = _compare_tokens(one, other, family)
        if joined.level not in _CONFLICTS:
            return joined
    return result


def compare_birth_dates(a: date | None, b: date | None) -> str:
    """exact, day_month_swapped, one_digit_off, year_only, two_digits_off, disagree, missing."""
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
    if DamerauLevenshtein.distance(a.isoformat(), b.isoformat()) <= 2:
        return "two_digits_off"
    return "disagree"


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGIT = re.compile(r"[0-9]")
_DIGITS = re.compile(r"[0-9]+")
_LOCAL_TYPO_LENGTH = 6


def _local_part(address: str) -> str:
    """The local part's letters and digits, before any "+tag": what a person keeps."""
    local = address.rpartition("@")[0].split("+", 1)[0]
    return _NOT_ALNUM.sub("", local)


def compare_emails(a: str | None, b: str | None) -> str:
    """exact (the same mailbox), same_local_part (at another provider, say), same_name_local_part
    (letters only, which namesakes share too), local_part_typo, disagree or missing.

    Local parts that are merely alike say nothing: people of one name pick alike addresses
    ("jrodriguez7894", "jrodriguez9142").
    """
    if a is None or b is None:
        return MISSING
    if a == b:
        return "exact"
    local_a, local_b = _local_part(a), _local_part(b)
    if local_a and local_a == local_b:
        return "same_local_part" if _DIGIT.search(local_a) else "same_name_local_part"
    if (
        min(len(local_a), len(local_b)) >= _LOCAL_TYPO_LENGTH
        and _DIGITS.findall(local_a) == _DIGITS.findall(local_b)  # namesakes' numbers differ
        and DamerauLevenshtein.distance(local_a, local_b) <= 1
    ):
        return "local_part_typo"
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
