"""The API key secret: recognisable prefix, the key's id, randomness and a checksum.

Layout: ``acc_`` + 22 base62 characters of the key id + 32 random base62 characters
+ 6 base62 characters of a CRC32 over everything before it. The checksum lets
scanners and the server reject a mistyped or truncated secret without a lookup;
the embedded id lets the server find the key without an index of secrets.
Only a SHA-256 digest of the whole secret is ever stored.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib
from uuid import UUID

PREFIX = "acc_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_LEN = 22
_RANDOM_LEN = 32
_CHECK_LEN = 6
LENGTH = len(PREFIX) + _ID_LEN + _RANDOM_LEN + _CHECK_LEN


def _encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rem = divmod(number, 62)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def _decode(text: str) -> int:
    number = 0
    for char in text:
        number = number * 62 + _ALPHABET.index(char)
    return number


def _checksum(body: str) -> str:
    return _encode(zlib.crc32(body.encode()), _CHECK_LEN)


def generate(key_id: UUID) -> str:
    """A new secret for the key with this id."""
    random_part = "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LEN))
    body = PREFIX + _encode(key_id.int, _ID_LEN) + random_part
    return body + _checksum(body)


def key_id_of(secret: str) -> UUID | None:
    """The key id inside a well-formed secret, or None if it is malformed."""
    if len(secret) != LENGTH or not secret.startswith(PREFIX):
        return None
    if any(c not in _ALPHABET for c in secret[len(PREFIX) :]):
        return None
    body, check = secret[:-_CHECK_LEN], secret[-_CHECK_LEN:]
    if _checksum(body) != check:
        return None
    number = _decode(body[len(PREFIX) : len(PREFIX) + _ID_LEN])
    if number >= 1 << 128:
        return None
    return UUID(int=number)


def digest(secret: str) -> str:
    """The stored form of a secret (secrets are random, so a fast hash suffices)."""
    return hashlib.sha256(secret.encode()).hexdigest()
