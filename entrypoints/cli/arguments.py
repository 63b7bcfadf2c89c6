"""Argument types and choices the commands share, with messages an operator can act on."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum


def values(members: Iterable[StrEnum | str]) -> list[str]:
    """Choices as plain strings: argparse lists them in its error, and an enum's repr is noise."""
    return [str(member) for member in members]


def zoned_time(value: str) -> datetime:
    """An ISO 8601 time with a zone, in UTC (an argparse type)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 time: {value!r} (e.g. 2027-01-31T00:00:00+00:00)"
        ) from None
    if parsed.utcoffset() is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2027-01-31T00:00:00+00:00")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise argparse.ArgumentTypeError(f"{value!r} is outside the calendar in UTC") from None
