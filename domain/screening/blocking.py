"""Blocking keys: the few values a person's likely duplicates share with them.

A new record is scored only against the participants sharing one of its keys, so a
lookup reads a handful of small blocks whatever the tenant's size. A key shared by too
many people (a common surname alone) says little: its block is skipped past BLOCK_CAP.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations

import jellyfish

from domain.screening.forms import PersonForms

# Blocks of more people than this are not read: they would cost more than they tell.
BLOCK_CAP = 200
NAME_KEY_PREFIX = "t:"  # a single name token; its count is the token's frequency
PARTICIPANTS_KEY = "*"  # counts every participant of the tenant
_PHONE_DIGITS = 8


def token_key(token: str) -> str:
    return NAME_KEY_PREFIX + token


def _birth_dates(born: date | None) -> list[date]:
    if born is None:
        return []
    dates = [born]
    if born.day <= 12 and born.day != born.month:
        dates.append(date(born.year, born.day, born.month))  # day and month swapped
    return dates


def blocking_keys(forms: PersonForms) -> frozenset[str]:
    """Every key of a person: exact identifiers, birth date with initials, name tokens."""
    keys: set[str] = set()
    if forms.email:
        keys.add("e:" + forms.email)
    if forms.phone and len(forms.phone.lstrip("+")) >= _PHONE_DIGITS:
        keys.add("p:" + forms.phone[-_PHONE_DIGITS:])
    if forms.document:
        keys.add("d:" + forms.document)
    tokens = forms.core_tokens
    for born in _birth_dates(forms.date_of_birth):
        keys.update(f"b:{born.isoformat()}:{t[0]}" for t in tokens)
    keys.update(token_key(t) for t in tokens)
    keys.update("n:" + " ".join(pair) for pair in combinations(tokens, 2))
    sounds = sorted({jellyfish.metaphone(t) for t in tokens} - {""})
    keys.update("s:" + " ".join(pair) for pair in combinations(sounds, 2))
    if len(sounds) == 1:
        keys.add("s:" + sounds[0])
    return frozenset(keys)
