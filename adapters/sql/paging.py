"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Select, literal, tuple_

T = TypeVar("T")
S = TypeVar("S", bound=Select[Any])


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


def keyset(
    query: S, time: Any, key: Any, limit: int, cursor: str | None, newest_first: bool = False
) -> S:
    """The query ordered by (time, key), after the cursor's row, one row over the limit.

    `newest_first` orders it the other way: a page goes on with the rows before the cursor's.
    """
    if limit < 1:
        raise ValueError("a page holds at least one item")
    if cursor is not None:
        after_time, after_key = time_and_id(cursor)
        # Typed like the columns, so the time is stored-form UTC on every backend.
        after = tuple_(literal(after_time, time.type), literal(after_key, key.type))
        row = tuple_(time, key)
        query = query.where(row < after if newest_first else row > after)
    if newest_first:
        return query.order_by(time.desc(), key.desc()).limit(limit + 1)
    return query.order_by(time, key).limit(limit + 1)


def keyset_page(
    items: list[T], limit: int, position: Callable[[T], tuple[datetime, UUID]]
) -> Page[T]:
    """A page of the rows a keyset() query read, with a cursor if there are more."""
    if len(items) <= limit:
        return Page(items, None)
    items = items[:limit]
    at, key = position(items[-1])
    return Page(items, encode_cursor(at.isoformat(), str(key)))


def time_and_id(cursor: str) -> tuple[datetime, UUID]:
    """The (time, id) a keyset cursor holds; BadCursor if it was not one of ours."""
    values = decode_cursor(cursor)
    if len(values) != 2:
        raise BadCursor("the cursor is not valid")
    at = decode_time(values[0])
    try:
        return at, UUID(values[1])
    except ValueError:
        raise BadCursor("the cursor is not valid") from None
