"""Given names that are one another's nicknames ("Bob" of "Robert", "Peggy" of "Margaret").

From the `nicknames` package: a hand-curated, maintained list of English given names and
their nicknames (Old Dominion University's name data, Apache-2.0). Two names are one
another's nickname if either is listed as the other's, or both are nicknames of one name
("Bob" and "Rob" of "Robert").
"""

from __future__ import annotations

from functools import cache, lru_cache

from nicknames import NickNamer


@cache
def _namer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=1 << 14)
def related(name: str) -> frozenset[str]:
    """Every name listed as this one's nickname, or whose nickname this one is, or both."""
    namer = _namer()
    canonicals = namer.canonicals_of(name)
    siblings = {n for c in canonicals for n in namer.nicknames_of(c)}
    return frozenset(namer.nicknames_of(name) | canonicals | siblings) - {name}


def nickname_equivalent(a: str, b: str) -> bool:
    """Whether two (lower-case ASCII) given names are one another's nickname."""
    return b in related(a)
