"""The comparison forms: the same person written differently reduces to the same forms."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from domain.screening.forms import (
    PARTICLES,
    PersonForms,
    canonical_document,
    canonical_email,
    e164,
    forms_of,
    name_tokens,
    significant,
)

names = st.text(
    alphabet=st.characters(categories=("L", "M", "Zs", "Pd", "Po")), min_size=0, max_size=30
)
latin_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèüöñçåø", min_size=1, max_size=10).filter(
        lambda word: name_tokens(word)[0] not in PARTICLES  # their place matters
    ),
    min_size=1,
    max_size=4,
)


def test_names_lose_case_accents_and_punctuation() -> None:
    assert name_tokens("  JOSÉ  Ñúñez ") == ("jose", "nunez")
    assert name_tokens("Jean-Pierre O'Brien") == ("jean", "pierre", "obrien")
    assert name_tokens("Dvořák, Antonín.") == ("dvorak", "antonin")


def test_names_in_other_scripts_are_transliterated() -> None:
    assert name_tokens("Ольга Петрова") == ("olga", "petrova")
    assert name_tokens("Νίκος") == ("nikos",)
    assert name_tokens("王小明") == ("wangxiaoming",)
    assert name_tokens("\uff2a\uff4f\uff48\uff4e") == ("john",)  # full-width letters, NFKC


def test_particles_are_optional_but_a_name_ending_in_one_keeps_it() -> None:
    assert significant(name_tokens("Ludwig van Beethoven")) == ("ludwig", "beethoven")
    assert significant(name_tokens("al-Rashid")) == ("rashid",)
    assert significant(name_tokens("De La")) == ("la",)
    assert forms_of({"first_name": "Van", "last_name": "Le"}).core_tokens == ("le", "van")


def test_first_and_last_name_swapped_give_the_same_core_tokens() -> None:
    one = forms_of({"first_name": "Ada", "last_name": "Lovelace"})
    other = forms_of({"first_name": "LOVELACE", "last_name": "ada"})
    assert one.core_tokens == other.core_tokens == ("ada", "lovelace")


def test_people_with_one_name_have_forms() -> None:
    for record in ({"first_name": None, "last_name": "Suharto"}, {"first_name": "Suharto"}):
        assert forms_of(record).core_tokens == ("suharto",)
    assert forms_of({"first_name": "", "last_name": "Suharto"}).given == ()


def test_email_follows_the_rules_of_known_providers_only() -> None:
    assert canonical_email("J.Doe+news@GoogleMail.com") == "jdoe@gmail.com"
    assert canonical_email("j.doe+x@outlook.com") == "j.doe@outlook.com"
    assert canonical_email("j.doe+x@proton.me") == "j.doe@proton.me"
    assert canonical_email("J.Doe+x@Example.org") == "j.doe+x@example.org"
    assert canonical_email("not an address") is None
    assert canonical_email(None) is None


def test_phones_become_e164_in_the_participants_country() -> None:
    assert e164("0151 1234 5678", "DE") == "+4915112345678"
    assert e164("+49 (151) 1234-5678") == "+4915112345678"
    assert e164("+49 151 12345678", "FR") == "+4915112345678"


def test_old_bare_digit_phones_are_read_robustly() -> None:
    assert e164("4915112345678") == "+4915112345678"
    assert e164("4915112345678", "DE") == "+4915112345678"
    assert e164("015112345678") == "015112345678"  # no country to read it in: digits only
    assert e164("12", "XK") == "12"
    assert e164("---") is None


def test_document_numbers_keep_letters_and_digits_in_upper_case() -> None:
    assert canonical_document("ab 12-34 c") == "AB1234C"
    assert canonical_document(" - ") is None


def test_a_record_with_bad_or_missing_values_still_has_forms() -> None:
    forms = forms_of({"date_of_birth": "31/12/1990", "phone": "n/a", "nationality": " "})
    assert (forms.date_of_birth, forms.phone, forms.nationality) == (None, None, None)
    assert forms_of({"date_of_birth": "1990-12-31"}).date_of_birth == date(1990, 12, 31)


def test_the_fingerprint_changes_only_with_a_compared_form() -> None:
    base = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
    same = {**base, "first_name": "ADA ", "email": "Ada@Example.org"}
    other = {**base, "email": "ada@example.com"}
    assert forms_of(base).fingerprint == forms_of(same).fingerprint
    assert forms_of(base).fingerprint != forms_of(other).fingerprint


def test_forms_survive_their_json_form() -> None:
    forms = forms_of({"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1815-12-10"})
    assert PersonForms.from_json(forms.to_json()) == forms


@given(names)
def test_name_tokens_are_idempotent(text: str) -> None:
    tokens = name_tokens(text)
    assert name_tokens(" ".join(tokens)) == tokens
    assert all(t.isascii() and t.isalpha() and t == t.lower() for t in tokens)


@given(latin_words, st.randoms(use_true_random=False))
def test_name_tokens_ignore_case_accents_and_order(words: list[str], random: object) -> None:
    shuffled = list(words)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    upper = " ".join(shuffled).upper()
    plain = " ".join(words)
    a = forms_of({"first_name": plain}).core_tokens
    b = forms_of({"last_name": upper}).core_tokens
    assert a == b
    assert sorted(name_tokens(upper)) == sorted(name_tokens(plain))


@given(st.emails())
def test_canonical_email_is_idempotent(address: str) -> None:
    once = canonical_email(address)
    assert once is not None
    assert canonical_email(once) == once


@given(st.text(alphabet="0123456789 +-()", max_size=20), st.sampled_from([None, "DE", "FR"]))
def test_e164_is_idempotent(text: str, region: str | None) -> None:
    once = e164(text, region)
    if once is not None:
        assert e164(once, region) == once


@given(st.text(max_size=30))
def test_canonical_document_is_idempotent(text: str) -> None:
    once = canonical_document(text)
    if once is not None:
        assert canonical_document(once) == once
