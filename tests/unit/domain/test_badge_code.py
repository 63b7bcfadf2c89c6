"""Badge codes: QR-alphanumeric, self-checking, naming their credential, kept as a digest."""

from __future__ import annotations

import re
import uuid

from hypothesis import given
from hypothesis import strategies as st

from domain.access import badge_code

# What a QR code's alphanumeric mode holds (no lowercase).
QR_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]+")


@given(st.uuids())
def test_a_generated_code_gives_back_the_credential_id(credential_id: uuid.UUID) -> None:
    assert badge_code.credential_id_of(badge_code.generate(credential_id)) == credential_id


def test_the_largest_and_smallest_ids_round_trip() -> None:
    for credential_id in (uuid.UUID(int=0), uuid.UUID(int=(1 << 128) - 1)):
        assert badge_code.credential_id_of(badge_code.generate(credential_id)) == credential_id


def test_a_code_fits_the_qr_alphanumeric_mode_and_has_the_fixed_length() -> None:
    code = badge_code.generate(uuid.uuid4())

    assert len(code) == badge_code.LENGTH
    assert QR_ALPHANUMERIC.fullmatch(code)
    assert code == code.upper()


def test_a_code_carries_at_least_80_random_bits() -> None:
    credential_id = uuid.uuid4()
    codes = {badge_code.generate(credential_id) for _ in range(50)}

    assert len(codes) == 50
    assert (badge_code.LENGTH - 26 - 7) * 5 >= 80


@given(st.uuids(), st.data())
def test_any_single_character_change_is_refused_or_has_another_digest(
    credential_id: uuid.UUID, data: st.DataObject
) -> None:
    code = badge_code.generate(credential_id)
    where = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(
        st.characters(min_codepoint=32, max_codepoint=126).filter(lambda c: c != code[where])
    )
    changed = code[:where] + replacement + code[where + 1 :]

    refused = badge_code.credential_id_of(changed) is None
    assert refused or badge_code.digest(changed) != badge_code.digest(code)
    # The checksum catches every single-character change of the alphabet's characters.
    assert refused


@given(st.text(max_size=60))
def test_malformed_text_names_no_credential_unless_it_checks_out(text: str) -> None:
    found = badge_code.credential_id_of(text)

    assert found is None or badge_code.credential_id_of(text) == found


def test_lowercase_and_truncated_codes_are_refused() -> None:
    code = badge_code.generate(uuid.uuid4())

    assert badge_code.credential_id_of(code.lower()) is None
    assert badge_code.credential_id_of(code[:-1]) is None
    assert badge_code.credential_id_of(code + "0") is None


def test_the_digest_is_sha256_hex_and_differs_from_the_code() -> None:
    code = badge_code.generate(uuid.uuid4())

    assert re.fullmatch(r"[0-9a-f]{64}", badge_code.digest(code))
    assert code not in badge_code.digest(code)
