"""The forms two people's details are compared by: each field reduced to what identifies them.

A name in any script becomes lower-case ASCII tokens (transliterated, accents, case and
punctuation gone); an e-mail loses what its provider ignores; a phone number becomes E.164
where it can be read; a document number keeps its letters and digits.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import astuple, dataclass, fields
from datetime import date
from functools import cached_property
from typing import Any

import phonenumbers
from anyascii import anyascii

# Connecting words of family names ("van", "de la", "bin", "al"): kept, but a name written
# without them is the same name, so comparisons treat them as optional. Only a word followed by
# another in the same field is one: "Le" or "Van" alone is a (Vietnamese) name.
PARTICLES = frozenset(
    (
        *("van", "von", "vom", "vander", "vanden", "de", "den", "der", "des", "del", "della"),
        *("dello", "dela", "da", "das", "dos", "di", "du", "le", "la", "les", "lo", "ter", "ten"),
        *("te", "zu", "zum", "zur", "af", "av", "bin", "ibn", "bint", "binti", "al", "el", "ap"),
    )
)

# Providers that deliver "name+tag@" to "name@"; Gmail ignores dots in the local part too.
_DOTS_IGNORED = frozenset({"gmail.com"})
_PLUS_TAGS = frozenset(
    {
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "fastmail.com",
        "fastmail.fm",
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
    }
)
# Another name of the same mailbox.
_SAME_DOMAIN = {"googlemail.com": "gmail.com"}

_APOSTROPHES = re.compile(r"['`\u2019\u02bc]")
_NOT_LETTERS = re.compile(r"[^a-z]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_NOT_DIGITS = re.compile(r"[^0-9]+")


def _ascii_folded(text: str) -> str:
    """NFKC, accents dropped, transliterated to ASCII and case-folded."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return anyascii(bare).casefold()


def name_tokens(text: str | None) -> tuple[str, ...]:
    """A name's words in order: ASCII, lower case, apostrophes joined, hyphens splitting."""
    if not text:
        return ()
    folded = _APOSTROPHES.sub("", _ascii_folded(text))
    return tuple(t for t in _NOT_LETTERS.split(folded) if t)


def significant(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """One field's tokens without the particles that connect it to a following word."""
    return tuple(t for i, t in enumerate(tokens) if t not in PARTICLES or i == len(tokens) - 1)


def canonical_email(text: str | None) -> str | None:
    """The mailbox an address delivers to, as far as its provider's rules are known."""
    if not text or "@" not in text:
        return None
    local, _, domain = unicodedata.normalize("NFKC", text).strip().casefold().rpartition("@")
    domain = domain.strip(".")
    domain = _SAME_DOMAIN.get(domain, domain)
    if not local or not domain:
        return None
    if domain in _PLUS_TAGS:
        local = local.split("+", 1)[0] or local
    if domain in _DOTS_IGNORED:
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def _parsed(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def e164(text: str | None, region: str | None = None) -> str | None:
    """The number in E.164 ("+4915112345678"), read in `region` when it has no country code.

    Older records hold bare digits, sometimes with the country code but no "+": the reading
    that gives a valid number wins; a number no reading makes valid keeps its digits only
    (and its "+").
    """
    if not text:
        return None
    digits = _NOT_DIGITS.sub("", text)
    if not digits:
        return None
    plus = text.strip().startswith("+")
    region = region.upper() if region else None
    readings = [_parsed(("+" if plus else "") + digits, region)]
    if not plus:
        international = _parsed("+" + digits.removeprefix("00"), None)
        # Digits that begin with the country's own code were written with it, no "+".
        code = str(phonenumbers.country_code_for_region(region)) if region else ""
        if code != "0" and digits.startswith(code):
            readings.insert(0, international)
        else:
            readings.append(international)
    for number in readings:
        if number is not None and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "+" + digits if plus else digits


def canonical_document(text: str | None) -> str | None:
    """A document number's letters and digits, upper case (spaces and dashes vary)."""
    if not text:
        return None
    kept = _NOT_ALNUM.sub("", anyascii(unicodedata.normalize("NFKC", text)).upper())
    return kept or None


def birth_date(value: Any) -> date | None:
    """The date of birth of a record (an ISO string, a date or nothing); unreadable is none."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _country(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip().upper()
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class PersonForms:
    """One participant's details in the forms they are compared and blocked by.

    Frozen, so what is derived from the forms (tokens, the fingerprint) is worked out
    once per instance: detection asks for it many times.
    """

    given: tuple[str, ...]
    family: tuple[str, ...]
    email: str | None
    phone: str | None
    document: str | None
    organisation: tuple[str, ...]
    date_of_birth: date | None
    nationality: str | None

    @cached_property
    def name_tokens(self) -> tuple[str, ...]:
        """Every name token, particles included, in no particular order (sorted)."""
        return tuple(sorted(set(self.given + self.family)))

    @cached_property
    def core_tokens(self) -> tuple[str, ...]:
        """The name tokens that must agree, particles left out, sorted."""
        return tuple(sorted(set(significant(self.given) + significant(self.family))))

    def to_json(self) -> dict[str, Any]:
        """The forms as JSON primitives (for a table)."""
        born = self.date_of_birth
        return {
            **{f.name: getattr(self, f.name) for f in fields(self)},
            "given": list(self.given),
            "family": list(self.family),
            "organisation": list(self.organisation),
            "date_of_birth": born.isoformat() if born else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PersonForms:
        """The forms to_json() gave."""
        return cls(
            given=tuple(data["given"]),
            family=tuple(data["family"]),
            email=data["email"],
            phone=data["phone"],
            document=data["document"],
            organisation=tuple(data["organisation"]),
            date_of_birth=birth_date(data["date_of_birth"]),
            nationality=data["nationality"],
        )

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every compared form: it changes when, and only when, one of them does."""
        return hashlib.sha256(repr(astuple(self)).encode()).hexdigest()[:32]


# The fields of a details record that detection compares; a change to any other is ignored.
COMPARED_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "organisation",
        "nationality",
        "document_number",
    }
)


def forms_of(record: Mapping[str, Any]) -> PersonForms:
    """The comparison forms of a details record as registration's domain events hold it."""
    nationality = _country(record.get("nationality"))
    return PersonForms(
        given=name_tokens(_text(record.get("first_name"))),
        family=name_tokens(_text(record.get("last_name"))),
        email=canonical_email(_text(record.get("email"))),
        phone=e164(_text(record.get("phone")), nationality),
        document=canonical_document(_text(record.get("document_number"))),
        organisation=tuple(sorted(set(name_tokens(_text(record.get("organisation")))))),
        date_of_birth=birth_date(record.get("date_of_birth")),
        nationality=nationality,
    )
