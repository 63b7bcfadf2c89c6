"""Text people write: display names (of tenants, keys, events, people) and free text.

Control characters (a NUL above all) cannot be stored in every database and never
belong in what is shown on a badge or a screen. Bidirectional embeddings, overrides
and isolates reorder what a reader sees, so a name can show one thing and sort as
another: they are refused in every text a person enters, as control characters are.
"""

from __future__ import annotations

import unicodedata

from domain.shared.errors import InvalidValue

NAME_MAX = 200
# U+202A..U+202E (embeddings, overrides, the pop) and U+2066..U+2069 (isolates).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_printable(value: str, field: str) -> None:
    """Refuses control characters other than white space, and bidirectional controls."""
    for c in value:
        if c in BIDI_CONTROLS:
            raise InvalidValue(
                field, f"the {field} must not contain bidirectional control characters"
            )
        if unicodedata.category(c) == "Cc" and not c.isspace():
            raise InvalidValue(field, f"the {field} must not contain control characters")


def display_name(value: str, field: str = "name", maximum: int = NAME_MAX) -> str:
    """Trims and folds white space; refuses blank, over-long or unprintable names."""
    check_printable(value, field)
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidValue(field, f"the {field} must not be blank")
    if len(cleaned) > maximum:
        raise InvalidValue(field, f"the {field} must be at most {maximum} characters")
    return cleaned


def free_text(value: str | None, field: str, maximum: int) -> str | None:
    """A comment or a reason: lines kept, trimmed; blank is None; unprintable is refused."""
    if value is None or not value.strip():
        return None
    if len(value) > maximum:
        raise InvalidValue(field, f"the {field} must be at most {maximum} characters")
    check_printable(value, field)
    return value.strip()
