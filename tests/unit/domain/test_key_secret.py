"""API key secrets: recognisable, self-checking, and stored only as a digest."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.platform import key_secret

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@given(st.uuids())
def test_a_generated_secret_gives_back_the_key_id(key_id: uuid.UUID) -> None:
    assert key_secret.key_id_of(key_secret.generate(key_id)) == key_id


def test_the_largest_and_smallest_key_ids_round_trip() -> None:
    for key_id in (uuid.UUID(int=0), uuid.UUID(int=(1 << 128) - 1)):
        assert key_secret.key_id_of(key_secret.generate(key_id)) == key_id


def test_a_secret_has_the_prefix_and_the_fixed_length() -> None:
    secret = key_secret.generate(uuid.uuid4())

    assert secret.startswith("acc_")
    assert len(secret) == key_secret.LENGTH
    assert all(c in ALPHABET for c in secret[len("acc_") :])


def test_two_secrets_for_the_same_key_differ() -> None:
    key_id = uuid.uuid4()

    assert key_secret.generate(key_id) != key_secret.generate(key_id)


@given(st.uuids(), st.data())
def test_changing_any_one_character_breaks_the_secret(
    key_id: uuid.UUID, data: st.DataObject
) -> None:
    secret = key_secret.generate(key_id)
    position = data.draw(st.integers(min_value=0, max_value=len(secret) - 1))
    replacement = data.draw(
        st.sampled_from(ALPHABET + "_-").filter(lambda c: c != secret[position])
    )
    tampered = secret[:position] + replacement + secret[position + 1 :]

    assert key_secret.key_id_of(tampered) is None


def test_a_truncated_or_extended_secret_is_malformed() -> None:
    secret = key_secret.generate(uuid.uuid4())

    assert key_secret.key_id_of(secret[:-1]) is None
    assert key_secret.key_id_of(secret + "0") is None
    assert key_secret.key_id_of("") is None


def test_a_secret_with_a_wrong_checksum_is_malformed() -> None:
    secret = key_secret.generate(uuid.uuid4())
    body, check = secret[:-6], secret[-6:]
    wrong = "000000" if check != "000000" else "000001"

    assert key_secret.key_id_of(body + wrong) is None


def test_a_secret_with_another_prefix_is_malformed() -> None:
    secret = key_secret.generate(uuid.uuid4())

    assert key_secret.key_id_of("abc_" + secret[4:]) is None


def test_characters_outside_the_alphabet_are_malformed() -> None:
    secret = key_secret.generate(uuid.uuid4())

    assert key_secret.key_id_of(secret[:10] + "é" + secret[11:]) is None
    assert key_secret.key_id_of(secret[:10] + " " + secret[11:]) is None


def test_an_id_part_beyond_128_bits_is_malformed_even_with_a_valid_checksum() -> None:
    body = "acc_" + "z" * 22 + "0" * 32
    forged = body + key_secret._checksum(body)

    assert key_secret.key_id_of(forged) is None


def test_the_digest_is_not_the_secret_and_is_stable() -> None:
    secret = key_secret.generate(uuid.uuid4())
    stored = key_secret.digest(secret)

    assert stored != secret
    assert secret not in stored
    assert stored == key_secret.digest(secret)
    assert stored != key_secret.digest(key_secret.generate(uuid.uuid4()))


@pytest.mark.parametrize("garbage", ["acc_", "Bearer acc_x", "x" * 64, "acc_" + "!" * 60])
def test_garbage_is_malformed(garbage: str) -> None:
    assert key_secret.key_id_of(garbage) is None
