"""Each row of an import file checked as a registration would be, before anything is imported.

A row is checked field by field, so the organiser sees every wrong value of a row
at once, not the first only. Two rows with one e-mail (compared as registrations
compare them) are one person twice: the later row names the first. A row whose
e-mail is registered for the event already is marked so; registering it would be
refused.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.registration.person import PERSONAL_FIELDS, PersonalDetails, normalised_email
from domain.shared.errors import InvalidValue

CATEGORY = "category"


@dataclass(frozen=True)
class RowCheck:
    row_number: int
    values: dict[str, str]  # the row's mapped, non-blank values: what registering it sends
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    duplicate_of_row: int | None = None
    already_registered: bool = False

    @property
    def importable(self) -> bool:
        """Whether registering this row could succeed: valid, new in the file and the event."""
        return not self.errors and self.duplicate_of_row is None and not self.already_registered


def check_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    mapping: Mapping[str, str | None],
    today: date,
    region: str | None,
    categories: Collection[str],
    registered: Callable[[str], bool],
) -> Iterator[RowCheck]:
    """Each row's check, in order; `mapping` gives each header's field (None: not imported),
    `registered` whether a normalised e-mail is registered for the event already."""
    _refuse_unknown_fields(mapping)
    first_rows: dict[str, tuple[int, bool]] = {}  # normalised e-mail -> first row, registered
    for row_number, cells in rows:
        values = mapped_values(cells, mapping)
        errors = _errors(values, today, region, categories)
        duplicate_of, already = None, False
        if "email" in values and not any(f == "email" for f, _ in errors):
            email = normalised_email(values["email"])
            if email in first_rows:
                duplicate_of, already = first_rows[email]
            else:
                already = registered(email)
                first_rows[email] = (row_number, already)
        yield RowCheck(row_number, values, errors, duplicate_of, already)


def mapped_values(cells: Mapping[str, str], mapping: Mapping[str, str | None]) -> dict[str, str]:
    """The row's values by field, trimmed; blank cells left out, as if not given."""
    values = {}
    for header, target in mapping.items():
        value = cells.get(header, "").strip()
        if target is not None and value:
            values[target] = value.lower() if target == CATEGORY else value
    return values


def _errors(
    values: Mapping[str, str], today: date, region: str | None, categories: Collection[str]
) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    details: dict[str, Any] = {k: v for k, v in values.items() if k != CATEGORY}
    if "date_of_birth" in details:
        try:
            details["date_of_birth"] = date.fromisoformat(details["date_of_birth"])
        except ValueError:
            errors.append(("date_of_birth", "the date of birth must be a date like 1990-04-30"))
            del details["date_of_birth"]
    if "email" not in details:  # checked after the names, which may be missing too
        errors.append(("email", "an e-mail is needed"))
    # Checking stops at the first wrong value: check again without it until none is left.
    while True:
        try:
            PersonalDetails.checked(today, region, **details)
        except InvalidValue as error:
            if any(f == error.field for f, _ in errors):
                break  # found wrong and left out, it is now missing: said once is enough
            errors.append((error.field, error.detail))
            if error.field not in details:  # a value missing (a name, the e-mail), not wrong
                break
            del details[error.field]
        else:
            break
    category = values.get(CATEGORY)
    if category is not None and category not in categories:
        known = ", ".join(sorted(categories)) or "none"
        errors.append((CATEGORY, f"the event has no category '{category}' (its own: {known})"))
    return errors


def _refuse_unknown_fields(mapping: Mapping[str, str | None]) -> None:
    fields = {*PERSONAL_FIELDS, CATEGORY}
    for header, target in mapping.items():
        if target is not None and target not in fields:
            raise InvalidValue("mapping", f"the column '{header}' maps to no field ('{target}')")
    targets = [t for t in mapping.values() if t is not None]
    for target in targets:
        if targets.count(target) > 1:
            raise InvalidValue("mapping", f"two columns map to the field '{target}'")
