"""The badge code: what a participant's QR code holds, and what a gate scans.

Layout: 26 characters of the credential id + 18 random characters (90 bits) +
7 characters of a CRC32 over everything before it, 51 characters in all, every
one an uppercase Crockford base32 digit (0-9 and A-Z without I, L, O and U), so
the code fits a QR code's alphanumeric mode. The embedded id lets a scanner find
the credential without an index of codes; the checksum lets it refuse a misread
or forged-by-hand code without a lookup. Only a SHA-256 digest of the whole code
is ever recorded.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib
from uuid import UUID

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BASE = len(ALPHABET)
_ID_LEN = 26  # 130 bits: the id's 128, so its first character is at most 7
_RANDOM_LEN = 18  # 90 random bits
_CHECK_LEN = 7  # 35 bits: the whole CRC32
LENGTH = _ID_LEN + _RANDOM_LEN + _CHECK_LEN
_VALUES = {char: value for value, char in enumerate(ALPHABET)}


def _encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rem = divmod(number, _BASE)
        chars.append(ALPHABET[rem])
    return "".join(reversed(chars))


def _decode(text: str) -> int:
    number = 0
    for char in text:
        number = number * _BASE + _VALUES[char]
    return number


def _checksum(body: str) -> str:
    # A CRC32 catches every change confined to 32 bits: any one character changed.
    return _encode(zlib.crc32(body.encode("ascii")), _CHECK_LEN)


def generate(credential_id: UUID) -> str:
    """A new badge code for the credential with this id."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_LEN))
    body = _encode(credential_id.int, _ID_LEN) + random_part
    return body + _checksum(body)


def credential_id_of(code: str) -> UUID | None:
    """The credential id inside a well-formed code, or None if it is malformed."""
    if len(code) != LENGTH or any(c not in _VALUES for c in code):
        return None
    body, check = code[:-_CHECK_LEN], code[-_CHECK_LEN:]
    if _checksum(body) != check:
        return None
    number = _decode(body[:_ID_LEN])
    if number >= 1 << 128:
        return None
    return UUID(int=number)


def digest(code: str) -> str:
    """The recorded form of a code (codes are random, so a fast hash suffices)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()
