"""A participant's personal details, checked and normalised once, where they enter."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import phonenumbers

from domain.shared.errors import InvalidValue
from domain.shared.names import NAME_MAX, display_name

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


def clean_phone(value: str | None, region: str | None = None) -> str | None:
    """A phone number in E.164 (+4930123456) where its country is known: from a leading +
    or 00, or the region given (the person's country). Otherwise its digits, as written."""
    if value is None or not value.strip():
        return None
    compact = _PHONE_SEPARATORS.sub("", value)
    if not _PHONE.fullmatch(compact):
        raise InvalidValue("phone", "the phone must be 6 to 15 digits, optionally after a +")
    text = value
    if compact.startswith("00"):
        # The international call prefix of most countries, whichever the person's country
        # dials (810 in Russia, 011 in North America): a national number never starts so.
        text = "+" + compact[2:]
    international = text.lstrip().startswith("+")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        if international:
            raise InvalidValue("phone", "the phone has no known country code") from None
        return compact  # a national number of an unknown country: kept as written
    if not phonenumbers.is_possible_number(number):
        where = "its country" if international or region is None else region
        raise InvalidValue("phone", f"the phone has too few or too many digits for {where}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_birth_date(value: date | None, today: date) -> date | None:
    if value is None:
        return None
    if value > today:
        raise InvalidValue("date_of_birth", "the date of birth must not be in the future")
    if value < EARLIEST_BIRTH:
        raise InvalidValue("date_of_birth", "the date of birth must be 1900-01-01 or later")
    return value


def clean_country(value: str | None, field: str = "nationality") -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise InvalidValue(field, f"the {field} must be an ISO 3166-1 alpha-2 code")
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


def _optional_name(value: str | None, field: str, maximum: int = NAME_MAX) -> str | None:
    if value is None or not value.strip():
        return None
    return display_name(value, field, maximum)


def full_name(first_name: str | None, last_name: str | None) -> str:
    """The name as shown: first and last name, or the one name a person has."""
    return " ".join(n for n in (first_name, last_name) if n)


def _cleaned(
    today: date, values: Mapping[str, Any], nationality: Any, region: str | None
) -> dict[str, Any]:
    """Each given value checked and normalised; a phone read in the person's country."""
    cleaners: dict[str, Any] = {
        "first_name": lambda v: _optional_name(v, "first_name", PERSON_NAME_MAX),
        "last_name": lambda v: _optional_name(v, "last_name", PERSON_NAME_MAX),
        "email": lambda v: clean_email(v or ""),
        "phone": lambda v: clean_phone(v, _region(nationality) or region),
        "date_of_birth": lambda v: clean_birth_date(v, today),
        "organisation": lambda v: _optional_name(v, "organisation"),
        "nationality": clean_country,
        "document_number": clean_document,
    }
    return {name: cleaners[name](value) for name, value in values.items()}


def _refuse_unknown(values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(PERSONAL_FIELDS)
    if unknown:
        raise InvalidValue(sorted(unknown)[0], "unknown field")


def _region(nationality: Any) -> str | None:
    """The default region a national phone number is read in, if the nationality is one."""
    if isinstance(nationality, str) and nationality.strip().upper() in COUNTRIES:
        return nationality.strip().upper()
    return None


def _whole(values: Mapping[str, Any]) -> PersonalDetails:
    if not values.get("first_name") and not values.get("last_name"):
        raise InvalidValue("first_name", "a first name or a last name is needed; one will do")
    if "email" not in values:
        raise InvalidValue("email", "the email must look like name@example.org")
    whole: dict[str, Any] = {name: values.get(name) for name in PERSONAL_FIELDS}
    return PersonalDetails(**whole)


@dataclass(frozen=True)
class PersonalDetails:
    """Who a participant is. Built only through `checked`, so every value is clean.

    Many people have one name only: either name may be missing, never both.
    """

    first_name: str | None
    last_name: str | None
    email: str
    phone: str | None = None
    date_of_birth: date | None = None
    organisation: str | None = None
    nationality: str | None = None
    document_number: str | None = None

    @classmethod
    def checked(cls, today: date, region: str | None = None, **values: Any) -> PersonalDetails:
        """Details from raw values; InvalidValue names the first field that is wrong.

        A national phone number is read in the person's nationality's country, else in
        `region` (the event's country), if either is known.
        """
        _refuse_unknown(values)
        return _whole(_cleaned(today, values, values.get("nationality"), region))

    def changed(
        self, today: date, changes: Mapping[str, Any], region: str | None = None
    ) -> PersonalDetails:
        """These details with some fields replaced; the new values are checked like new ones.

        Values not changed stay as recorded: they were checked when they came in.
        """
        _refuse_unknown(changes)
        nationality = changes.get("nationality", self.nationality)
        cleaned = _cleaned(today, changes, nationality, region)
        return _whole({**self.to_record(as_dates=True), **cleaned})

    def differences(self, other: PersonalDetails) -> dict[str, Any]:
        """The fields of `other` that differ from these, as recorded in domain events."""
        mine, theirs = self.to_record(), other.to_record()
        return {k: v for k, v in theirs.items() if mine[k] != v}

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

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


PERSONAL_FIELDS = tuple(f.name for f in fields(PersonalDetails))
