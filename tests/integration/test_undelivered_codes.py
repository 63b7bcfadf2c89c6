"""Badge codes waiting to be shown once, on both backends: encrypted with a key, taken once."""

from __future__ import annotations

from uuid import uuid4

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Cipher
from sqlalchemy import Engine, select

from adapters.access.undelivered_codes import UndeliveredCodes, undelivered_badge_codes
from adapters.settings import Settings
from adapters.sql.eventstore import cipher
from domain.access import badge_code


def aes() -> Cipher:
    found = cipher(Settings(cipher_key=AESCipher.create_key(32)))
    assert found is not None
    return found


def stored(engine: Engine) -> bytes:
    with engine.connect() as conn:
        return bytes(conn.execute(select(undelivered_badge_codes.c.code)).scalar_one())


def test_a_code_is_taken_once_and_only_for_its_generation(engine: Engine) -> None:
    codes, credential = UndeliveredCodes(engine), uuid4()
    code = badge_code.generate(credential)
    codes.keep(credential, uuid4(), 1, code)

    assert codes.take(credential, 2) is None  # a re-issue since: the old code is discarded
    codes.keep(credential, uuid4(), 1, code)
    assert codes.take(credential, 1) == code
    assert codes.take(credential, 1) is None


def test_with_a_cipher_the_code_is_not_stored_in_clear_and_reads_back(engine: Engine) -> None:
    codes, credential = UndeliveredCodes(engine, aes()), uuid4()
    code = badge_code.generate(credential)
    codes.keep(credential, uuid4(), 1, code)

    assert code.encode() not in stored(engine)
    assert codes.take(credential, 1) == code


def test_a_code_kept_under_a_key_the_server_no_longer_has_is_not_shown(engine: Engine) -> None:
    credential = uuid4()
    UndeliveredCodes(engine, aes()).keep(credential, uuid4(), 1, badge_code.generate(credential))
    UndeliveredCodes(engine, aes()).keep(other := uuid4(), uuid4(), 1, badge_code.generate(other))

    assert UndeliveredCodes(engine, aes()).take(credential, 1) is None  # another key
    assert UndeliveredCodes(engine).take(other, 1) is None  # no key at all
