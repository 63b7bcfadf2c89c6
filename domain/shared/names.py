"""Display names: what people call tenants, keys and (later) events."""

from __future__ import annotations

import unicodedata

from domain.shared.errors import InvalidValue

NAME_MAX = 200


def display_name(value: str, field: str = "name", maximum: int = NAME_MAX) -> str:
    """Trims and folds white space; refuses blank, over-long or control-character names.

    Control characters (a NUL above all) cannot be stored in every database and
    never belong in a name shown on a badge or a screen.
    """
    if any(unicodedata.category(c) == "Cc" and not c.isspace() for c in value):
        raise InvalidValue(field, f"the {field} must not contain control characters")
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidValue(field, f"the {field} must not be blank")
    if len(cleaned) > maximum:
        raise InvalidValue(field, f"the {field} must be at most {maximum} characters")
    return cleaned
