"""What a venue's access plan is made of: zones, checkpoints, and who may enter a zone when.

A zone may sit inside another (a VIP area inside the arena): whoever is in the inner
zone is in the outer one too, so occupancy counts toward both and entering the inner
one needs the outer one's rules to admit the participant as well.

A zone with no rules is open to every approved participant at any time; once it has
rules, only the categories they name get in, each in its time windows (a rule with no
windows admits its category at any time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.shared.errors import InvalidValue, NotFound, RuleViolation
from domain.shared.moments import checked_moment
from domain.shared.names import display_name

ZONES_MAX = 500
CHECKPOINTS_MAX = 1000
RULES_MAX = 50  # one per category, and an event has at most 50
WINDOWS_MAX = 100
CAPACITY_MAX = 1_000_000
ZONE_CODE_PATTERN = r"[a-z0-9][a-z0-9_-]{0,39}"
_ZONE_CODE = re.compile(ZONE_CODE_PATTERN)


class ReentryPolicy(StrEnum):
    """Whether a participant may come into a zone again."""

    SINGLE_ENTRY = "SINGLE_ENTRY"  # once only, even after leaving
    REENTRY_AFTER_EXIT = "REENTRY_AFTER_EXIT"  # again, once they have left
    UNLIMITED = "UNLIMITED"  # any number of entries, exits or not


class Direction(StrEnum):
    """Which way a checkpoint lets people through its zone's boundary."""

    ENTRY = "ENTRY"  # into its zone
    EXIT = "EXIT"  # out of its zone
    BOTH = "BOTH"  # either way


class UnknownZone(NotFound):
    code = "unknown-zone"


class UnknownCheckpoint(NotFound):
    code = "unknown-checkpoint"


class UnknownZoneGiven(InvalidValue):
    """A body names a zone (a parent, a checkpoint's zone) the plan does not have."""

    code = "unknown-zone"


class ZoneCodeTaken(RuleViolation):
    code = "zone-code-taken"
    title = "Another zone of the event has this code"


class ZoneNesting(InvalidValue):
    """A parent that would put a zone inside itself."""

    code = "zone-nesting"


class ZoneInUse(RuleViolation):
    code = "zone-in-use"
    title = "The zone still has zones inside it or checkpoints leading to it"


class PlanFull(RuleViolation):
    code = "access-plan-full"
    title = "The event's access plan holds as many of these as it may"


@dataclass(frozen=True)
class TimeWindow:
    """From `starts_at` (included) to `ends_at` (excluded)."""

    starts_at: datetime
    ends_at: datetime

    def holds(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def to_record(self) -> dict[str, Any]:
        return {"starts_at": self.starts_at, "ends_at": self.ends_at}


@dataclass(frozen=True)
class ZoneRule:
    """One category let into a zone, in these windows (none: at any time)."""

    category: str
    windows: tuple[TimeWindow, ...] = ()

    def admits(self, category: str | None, at: datetime) -> bool:
        if category != self.category:
            return False
        return not self.windows or any(w.holds(at) for w in self.windows)

    def to_record(self) -> dict[str, Any]:
        return {"category": self.category, "windows": [w.to_record() for w in self.windows]}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ZoneRule:
        windows = tuple(TimeWindow(w["starts_at"], w["ends_at"]) for w in record["windows"])
        return cls(record["category"], windows)


@dataclass(frozen=True)
class Zone:
    id: UUID
    code: str
    name: str
    capacity: int | None  # None: no limit
    parent_id: UUID | None  # None: a zone of its own, inside no other
    reentry: ReentryPolicy
    rules: tuple[ZoneRule, ...] = ()

    def admits(self, category: str | None, at: datetime) -> bool:
        """Whether this zone's own rules let the category in at that moment."""
        return not self.rules or any(r.admits(category, at) for r in self.rules)


@dataclass(frozen=True)
class Checkpoint:
    id: UUID
    name: str
    direction: Direction
    zone_id: UUID  # the zone it leads into (ENTRY, BOTH) or out of (EXIT, BOTH)
    active: bool = True

    @property
    def lets_in(self) -> bool:
        return self.direction is not Direction.EXIT

    @property
    def lets_out(self) -> bool:
        return self.direction is not Direction.ENTRY


def clean_zone_code(value: str) -> str:
    if not isinstance(value, str) or not _ZONE_CODE.fullmatch(value):
        raise InvalidValue(
            "code", "a zone code is 1-40 of a-z, 0-9, - and _, starting alphanumeric"
        )
    return value


def clean_capacity(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= CAPACITY_MAX:
        raise InvalidValue(
            "capacity", f"the capacity must be a whole number from 0 to {CAPACITY_MAX}"
        )
    return value


def clean_name(value: str) -> str:
    return display_name(value, "name")


def reentry_policy(value: str) -> ReentryPolicy:
    try:
        return ReentryPolicy(value)
    except ValueError:
        choices = ", ".join(p.value for p in ReentryPolicy)
        raise InvalidValue("reentry", f"the re-entry policy must be one of {choices}") from None


def direction(value: str) -> Direction:
    try:
        return Direction(value)
    except ValueError:
        choices = ", ".join(d.value for d in Direction)
        raise InvalidValue("direction", f"the direction must be one of {choices}") from None


def clean_rules(values: Iterable[Mapping[str, Any]], categories: Iterable[str]) -> list[ZoneRule]:
    """Rules from raw values: one per category the event has, windows that end after they start.

    Windows of a rule are kept in time order.
    """
    known = set(categories)
    rules: list[ZoneRule] = []
    for n, value in enumerate(values):
        at = f"rules[{n}]"
        category = value.get("category")
        if not isinstance(category, str) or category not in known:
            raise InvalidValue(f"{at}.category", f"the event has no category '{category}'")
        if any(r.category == category for r in rules):
            raise InvalidValue(f"{at}.category", f"the category '{category}' has two rules")
        windows = _clean_windows(value.get("windows") or (), f"{at}.windows")
        rules.append(ZoneRule(category, windows))
    if len(rules) > RULES_MAX:
        raise InvalidValue("rules", f"a zone has at most {RULES_MAX} rules")
    return rules


def _clean_windows(values: Iterable[Mapping[str, Any]], at: str) -> tuple[TimeWindow, ...]:
    windows = []
    for n, value in enumerate(values):
        field = f"{at}[{n}]"
        starts_at = checked_moment(value["starts_at"], f"{field}.starts_at")
        ends_at = checked_moment(value["ends_at"], f"{field}.ends_at")
        if ends_at <= starts_at:
            raise InvalidValue(f"{field}.ends_at", "a time window must end after it starts")
        windows.append(TimeWindow(starts_at, ends_at))
    if len(windows) > WINDOWS_MAX:
        raise InvalidValue(at, f"a rule has at most {WINDOWS_MAX} time windows")
    return tuple(sorted(windows, key=lambda w: (w.starts_at, w.ends_at)))
