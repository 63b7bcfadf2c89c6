"""A participant's personal details, checked and normalised once, where they enter."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from domain.shared.errors import InvalidValue
from domain.shared.names import display_name

PERSON_NAME_MAX = 100
EMAIL_MAX = 254
EARLIEST_BIRTH = date(1900, 1, 1)

# ISO 3166-1 alpha-2, and XK (Kosovo), which accreditation documents use.
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS XK YE YT ZA ZM ZW
"""
COUNTRIES = frozenset(_COUNTRY_CODES.split())

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_PHONE = re.compile(r"\+?[0-9]{6,15}")
_DOCUMENT = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,28}[A-Z0-9]")


def normalised_email(email: str) -> str:
    """The form two registrations are compared by: Unicode-normalised, case-folded."""
    return unicodedata.normalize("NFKC", email).strip().casefold()


def clean_email(value: str) -> str:
    cleaned = unicodedata.normalize("NFKC", value).strip()
    if len(cleaned) > EMAIL_MAX or not _EMAIL.fullmatch(cleaned):
        raise InvalidValue("email", "the email must look like name@example.org")
    return cleaned


def clean_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    compact = _PHONE_SEPARATORS.sub("", value)
    if not _PHONE.fullmatch(compact):
        raise InvalidValue("phone", "the phone must be 6 to 15 digits, optionally after a +")
    return compact


def clean_birth_date(value: date | None, today: date) -> date | None:
    if value is None:
        return None
    if value > today:
        raise InvalidValue("date_of_birth", "the date of birth must not be in the future")
    if value < EARLIEST_BIRTH:
        raise InvalidValue("date_of_birth", "the date of birth must be 1900-01-01 or later")
    return value


def clean_country(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise InvalidValue("nationality", "the nationality must be an ISO 3166-1 alpha-2 code")
    return code


def clean_document(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = " ".join(value.split()).upper()
    if not _DOCUMENT.fullmatch(cleaned):
        raise InvalidValue(
            "document_number", "the document number must be 3 to 30 letters, digits, - or spaces"
        )
    return cleaned


def _optional_name(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    return display_name(value, field)


@dataclass(frozen=True)
class PersonalDetails:
    """Who a participant is. Built only through `checked`, so every value is clean."""

    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    date_of_birth: date | None = None
    organisation: str | None = None
    nationality: str | None = None
    document_number: str | None = None

    @classmethod
    def checked(cls, today: date, **values: Any) -> PersonalDetails:
        """Details from raw values; InvalidValue names the first field that is wrong."""
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "unknown field")
        return cls(
            first_name=display_name(values.get("first_name") or "", "first_name", PERSON_NAME_MAX),
            last_name=display_name(values.get("last_name") or "", "last_name", PERSON_NAME_MAX),
            email=clean_email(values.get("email") or ""),
            phone=clean_phone(values.get("phone")),
            date_of_birth=clean_birth_date(values.get("date_of_birth"), today),
            organisation=_optional_name(values.get("organisation"), "organisation"),
            nationality=clean_country(values.get("nationality")),
            document_number=clean_document(values.get("document_number")),
        )

    def changed(self, today: date, changes: Mapping[str, Any]) -> PersonalDetails:
        """These details with some fields replaced, checked like new ones."""
        return PersonalDetails.checked(today, **{**self.to_record(as_dates=True), **changes})

    def differences(self, other: PersonalDetails) -> dict[str, Any]:
        """The fields of `other` that differ from these, as recorded in domain events."""
        mine, theirs = self.to_record(), other.to_record()
        return {k: v for k, v in theirs.items() if mine[k] != v}

    @property
    def normalised_email(self) -> str:
        return normalised_email(self.email)

    def to_record(self, *, as_dates: bool = False) -> dict[str, Any]:
        """JSON primitives for a domain event (the date of birth as an ISO date)."""
        record = {f.name: getattr(self, f.name) for f in fields(self)}
        if not as_dates and self.date_of_birth is not None:
            record["date_of_birth"] = self.date_of_birth.isoformat()
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> PersonalDetails:
        """Details as a domain event recorded them (already checked then)."""
        born = record.get("date_of_birth")
        values = {**record, "date_of_birth": date.fromisoformat(born) if born else None}
        return cls(**values)

    def with_record(self, changes: Mapping[str, Any]) -> PersonalDetails:
        """These details with recorded changes applied (for mutators)."""
        return PersonalDetails.from_record({**self.to_record(), **changes})
