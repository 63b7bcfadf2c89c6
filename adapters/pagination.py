"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

T = TypeVar("T")


class BadCursor(ValueError):
    """The cursor was not one this service handed out."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(*values: str) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[str]:
    """The values inside a cursor; BadCursor if it was tampered with or truncated."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeError):
        raise BadCursor("the cursor is not valid") from None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise BadCursor("the cursor is not valid")
    return values


def decode_time(value: str) -> datetime:
    """A time a cursor carries, in UTC; BadCursor unless it is a zoned ISO 8601 time."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadCursor("the cursor is not valid") from None
    if parsed.utcoffset() is None:
        # Cursors we hand out always carry a zone; a naive time would be read as local.
        raise BadCursor("the cursor is not valid")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # A forged time at the edge of the calendar has no UTC form.
        raise BadCursor("the cursor is not valid") from None
