"""The score of a pair: a log2 Bayes factor per field plus the prior odds of a match.

Fellegi-Sunter in spirit: each comparison level has m, the probability of it for two
records of one person, and u, for two different people; it weighs log2(m / u). A name
token's u is how common it is among the tenant's participants, so a shared common
surname is weak evidence. The prior odds that a given other participant is the same
person fall as 1/N, so at N = 1,000,000 more agreement is needed than at N = 1,000,
and the threshold (even odds) stays meaningful as the tenant grows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from domain.screening.compare import (
    MISSING,
    NameLevel,
    TokenMatch,
    compare_birth_dates,
    compare_documents,
    compare_emails,
    compare_names,
    compare_nationalities,
    compare_organisations,
    compare_phones,
)
from domain.screening.forms import PersonForms

# The share of registrations that repeat someone already registered (the prior's numerator).
DUPLICATE_RATE = 0.05
# A pair at or above these log2 odds (a match probability of one half) is a candidate.
THRESHOLD = 0.0
# A token's share among N participants is smoothed towards a typical token's: a tenant of
# ten people does not know that a name is rare.
_TYPICAL_TOKEN_SHARE = 0.001
_SMOOTHING = 1000

# (m, u) per comparison level of the fields whose u does not depend on the tenant.
LEVELS: dict[str, dict[str, tuple[float, float]]] = {
    "date_of_birth": {
        "exact": (0.9, 1 / 20_000),
        "day_month_swapped": (0.02, 1 / 20_000),
        "one_digit_off": (0.03, 0.004),
        "year_only": (0.02, 0.02),
        "two_digits_off": (0.01, 0.01),
        "disagree": (0.03, 0.96),
    },
    # Registration refuses one e-mail twice in an event: a repeat there always differs.
    "email": {
        "exact": (0.35, 1e-5),
        "same_local_part": (0.12, 1e-5),
        "same_name_local_part": (0.06, 0.01),
        "local_part_typo": (0.02, 2e-4),
        "disagree": (0.45, 0.99),
    },
    # Families and offices share numbers, so agreement is good evidence but not proof.
    "phone": {
        "exact": (0.6, 1e-3),
        "last_digits": (0.1, 2e-3),
        "disagree": (0.3, 0.997),
    },
    "document_number": {
        "exact": (0.8, 1e-7),
        "one_edit": (0.05, 1e-5),
        "disagree": (0.15, 1.0),
    },
    "organisation": {
        "exact": (0.6, 0.05),
        "overlap": (0.15, 0.1),
        "disagree": (0.25, 0.85),
    },
    "nationality": {
        "exact": (0.95, 0.2),
        "disagree": (0.05, 0.8),
    },
}

# Per matched name token: m, and how many times its share u is inflated for a loose match
# (more of the other people's tokens are a typo or a short form away than equal to it).
_TOKEN: dict[TokenMatch, tuple[float, float]] = {
    TokenMatch.EXACT: (0.95, 1.0),
    TokenMatch.CLOSE: (0.6, 10.0),
    TokenMatch.NICKNAME: (0.3, 5.0),
    TokenMatch.SIMILAR: (0.2, 50.0),
    TokenMatch.SHORT: (0.3, 30.0),
}
_EXTRA_TOKEN = math.log2(0.1 / 0.5)  # a token of the longer name nothing matched
# A token that stands against another of the other name: a name changed (at marriage, say)
# or written quite differently; the tokens that do match still count.
_CONFLICTING_TOKEN = math.log2(0.1)
# Names that disagree outright, or a given name under a shared family name (siblings).
_NAME_CONFLICT: dict[str, float] = {
    NameLevel.GIVEN_DIFFERS: -8.0,
    NameLevel.DISAGREE: -12.0,
}
# A given name that differs under a shared family name is the mark of twins and siblings:
# what families share then is no independent evidence, and counts only against a match.
_SHARED_IN_FAMILIES = frozenset({"date_of_birth", "phone", "organisation", "nationality"})


@dataclass(frozen=True)
class Frequencies:
    """How common name tokens are among a tenant's participants (those of both records)."""

    participants: int
    tokens: Mapping[str, int] = field(default_factory=dict)

    def share(self, token: str) -> float:
        """The smoothed share of participants whose name has this token."""
        count = self.tokens.get(token, 0)
        return (count + _SMOOTHING * _TYPICAL_TOKEN_SHARE) / (self.participants + _SMOOTHING)

    @property
    def prior(self) -> float:
        """log2 prior odds that one given other participant is the same person."""
        return math.log2(DUPLICATE_RATE / max(self.participants, 1))


@dataclass(frozen=True)
class FieldScore:
    """One field's part of a score: its level, its weight and the two compared forms."""

    field: str
    level: str
    weight: float
    left: Any
    right: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "level": self.level,
            "weight": round(self.weight, 3),
            "left": self.left,
            "right": self.right,
        }


@dataclass(frozen=True)
class Score:
    """A pair's score: the prior and every field's weight, and what they add up to."""

    prior: float
    fields: tuple[FieldScore, ...]

    @property
    def total(self) -> float:
        """log2 posterior odds that the two records are one person."""
        return self.prior + sum(f.weight for f in self.fields)

    @property
    def probability(self) -> float:
        return 1 / (1 + 2 ** (-max(min(self.total, 60.0), -60.0)))

    @property
    def is_candidate(self) -> bool:
        return self.total >= THRESHOLD

    def reversed(self) -> Score:
        """The same score with the two sides' forms swapped (for the pair's own order)."""
        fields = tuple(replace(f, left=f.right, right=f.left) for f in self.fields)
        return Score(self.prior, fields)

    def explanation(self) -> dict[str, Any]:
        """The score as a reviewer reads it (JSON)."""
        return {
            "total": round(self.total, 3),
            "probability": round(self.probability, 6),
            "prior": round(self.prior, 3),
            "threshold": THRESHOLD,
            "fields": [f.to_json() for f in self.fields],
        }


def _weight(field_name: str, level: str) -> float:
    if level == MISSING:
        return 0.0
    m, u = LEVELS[field_name][level]
    return math.log2(m / u)


def _name_score(a: PersonForms, b: PersonForms, frequencies: Frequencies) -> FieldScore:
    comparison = compare_names(a, b)
    left, right = " ".join(a.given + a.family), " ".join(b.given + b.family)
    if comparison.level in _NAME_CONFLICT:
        weight = _NAME_CONFLICT[comparison.level]
    elif comparison.level == MISSING:
        weight = 0.0
    else:
        weight = comparison.extra * _EXTRA_TOKEN + comparison.conflicting * _CONFLICTING_TOKEN
        for mine, theirs, kind in comparison.matched:
            m, inflation = _TOKEN[kind]
            share = max(frequencies.share(mine), frequencies.share(theirs))
            weight += math.log2(m / min(1.0, share * inflation))
    return FieldScore("names", comparison.level, weight, left, right)


def _dob(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def score(a: PersonForms, b: PersonForms, frequencies: Frequencies) -> Score:
    """Scores `a` against `b` among the tenant's participants `frequencies` counts."""
    compared = (
        ("date_of_birth", compare_birth_dates(a.date_of_birth, b.date_of_birth)),
        ("email", compare_emails(a.email, b.email)),
        ("phone", compare_phones(a.phone, b.phone)),
        ("document_number", compare_documents(a.document, b.document)),
        ("organisation", compare_organisations(a.organisation, b.organisation)),
        ("nationality", compare_nationalities(a.nationality, b.nationality)),
    )
    forms = {
        "date_of_birth": (_dob(a.date_of_birth), _dob(b.date_of_birth)),
        "email": (a.email, b.email),
        "phone": (a.phone, b.phone),
        "document_number": (a.document, b.document),
        "organisation": (" ".join(a.organisation) or None, " ".join(b.organisation) or None),
        "nationality": (a.nationality, b.nationality),
    }
    names = _name_score(a, b, frequencies)
    family = names.level == NameLevel.GIVEN_DIFFERS
    fields = [names]
    for name, level in compared:
        weight = _weight(name, level)
        if family and name in _SHARED_IN_FAMILIES:
            weight = min(weight, 0.0)
        fields.append(FieldScore(name, level, weight, *forms[name]))
    return Score(frequencies.prior, tuple(fields))
