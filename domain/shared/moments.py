"""Moments a command is given: aware, and with a UTC form, so every store and view can hold them.

`9999-12-31T23:59:59-12:00` is a valid ISO 8601 time with no UTC form (it would be
in the year 10000): accepted, it would be recorded and then fail every projection
that stores it. It is refused where it enters.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.shared.errors import InvalidValue


def checked_moment(value: datetime, field: str) -> datetime:
    """The moment as given, once it is known to carry an offset and to have a UTC form."""
    if value.utcoffset() is None:
        raise InvalidValue(field, f"the {field} must carry a time zone offset")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise InvalidValue(
            field, f"the {field} is outside the calendar once taken to UTC"
        ) from None
    return value
