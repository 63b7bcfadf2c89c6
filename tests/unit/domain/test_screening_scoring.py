"""The scores' decisions: who is the same person, who only looks alike, and why."""

from __future__ import annotations

from typing import Any

import pytest

from domain.screening.blocking import BLOCK_CAP, NAME_BLOCK_CAP, blocking_keys, informative
from domain.screening.forms import forms_of
from domain.screening.scoring import Frequencies, Score, score

ADA = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada.lovelace@example.org",
    "phone": "+4915112345678",
    "date_of_birth": "1985-12-10",
    "organisation": "Analytical Engines Ltd",
    "nationality": "GB",
    "document_number": "P1234567",
}
SMALL = Frequencies(1_000, {"ada": 3, "lovelace": 2, "byron": 2})
LARGE = Frequencies(1_000_000, {"ada": 3_000, "lovelace": 40, "byron": 200})
TENANTS = pytest.mark.parametrize("tenant", [SMALL, LARGE], ids=["thousand", "million"])


def scored(new: dict[str, Any], old: dict[str, Any], tenant: Frequencies) -> Score:
    return score(forms_of(new), forms_of(old), tenant)


def level(result: Score, field: str) -> str:
    return next(f.level for f in result.fields if f.field == field)


@TENANTS
@pytest.mark.parametrize(
    "variant",
    [
        {"first_name": "Adaa", "email": "ada@other.org"},  # a typo and a new e-mail
        {"first_name": "Lovelace", "last_name": "Ada", "email": "ada@other.org"},  # swapped
        {"first_name": "Ада", "last_name": "Лавлейс", "email": "ada@other.org"},  # Cyrillic
        {"first_name": "A", "email": "ada@other.org", "document_number": None},  # an initial
        {"email": "ada@other.org", "phone": None, "organisation": None},  # fields missing
        {"date_of_birth": "1985-10-12", "email": "a.lovelace@example.org"},  # day, month
        {"last_name": "King-Lovelace", "phone": "015112345678", "nationality": "DE"},
    ],
)
def test_the_same_person_written_differently_is_a_candidate(
    variant: dict[str, Any], tenant: Frequencies
) -> None:
    result = scored({**ADA, **variant}, ADA, tenant)
    assert result.is_candidate, result.explanation()


@TENANTS
def test_twins_sharing_surname_birth_date_phone_and_employer_are_not(tenant: Frequencies) -> None:
    twin = {**ADA, "first_name": "Augusta", "email": "augusta@example.org", "document_number": None}
    result = scored(twin, ADA, tenant)
    assert level(result, "names") == "given_differs"
    assert not result.is_candidate
    birth = next(f for f in result.fields if f.field == "date_of_birth")
    assert (birth.level, birth.weight) == ("exact", 0)  # shared by twins: no evidence


def test_siblings_are_not_candidates_even_in_a_tiny_tenant() -> None:
    sibling = {**ADA, "first_name": "Anne", "email": "anne@example.org", "document_number": None}
    assert not scored(sibling, ADA, Frequencies(2)).is_candidate


@TENANTS
def test_strangers_sharing_a_birth_date_and_country_are_not(tenant: Frequencies) -> None:
    stranger = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org"}
    result = scored({**stranger, "date_of_birth": ADA["date_of_birth"]}, ADA, tenant)
    assert not result.is_candidate


def test_a_shared_common_name_is_weaker_evidence_than_a_rare_one() -> None:
    counts = Frequencies(1_000_000, {"ada": 5_000, "lovelace": 5_000, "byron": 1})
    common = scored({"first_name": "Ada", "last_name": "Lovelace"}, ADA, counts)
    rare = scored(
        {"first_name": "Ada", "last_name": "Byron"}, {**ADA, "last_name": "Byron"}, counts
    )
    assert common.fields[0].weight < rare.fields[0].weight


def test_the_same_evidence_needs_more_agreement_as_the_tenant_grows() -> None:
    # Name and birth date alone: enough among a thousand, not among a million with common names.
    lookalike = {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1985-12-10"}
    assert scored(lookalike, ADA, SMALL).is_candidate
    crowded = Frequencies(1_000_000, {"ada": 30_000, "lovelace": 30_000})
    assert not scored({**lookalike, "email": "x@example.com"}, ADA, crowded).is_candidate
    assert crowded.prior < SMALL.prior


def test_missing_fields_weigh_nothing() -> None:
    result = scored({"first_name": "Ada", "last_name": "Lovelace"}, ADA, SMALL)
    missing = [f for f in result.fields if f.level == "missing"]
    assert {f.field for f in missing} >= {"date_of_birth", "email", "phone", "document_number"}
    assert all(f.weight == 0 for f in missing)


def test_the_explanation_lists_each_field_with_its_level_weight_and_forms() -> None:
    result = scored({**ADA, "email": "ADA.Lovelace+conf@Example.org"}, ADA, SMALL)
    explained = result.explanation()
    email = next(f for f in explained["fields"] if f["field"] == "email")
    assert email["level"] == "same_name_local_part"  # example.org is no known provider
    assert email["left"] == "ada.lovelace+conf@example.org"
    assert email["right"] == "ada.lovelace@example.org"
    total = explained["prior"] + sum(f["weight"] for f in explained["fields"])
    assert explained["total"] == pytest.approx(total, abs=0.01)
    reversed_email = next(f for f in result.reversed().fields if f.field == "email")
    assert reversed_email.left == "ada.lovelace@example.org"


# Among ten thousand people, with Smith and John as common as they are in England.
SMITHS = Frequencies(10_000, {"smith": 100, "john": 150, "robert": 80, "bob": 5})
BOB = {"first_name": "Bob", "last_name": "Smith", "email": "bob.smith@example.org"}


def test_a_nickname_and_its_full_name_born_the_same_day_are_a_candidate() -> None:
    robert = {**BOB, "first_name": "Robert", "email": "r.smith@example.com"}
    born = {"date_of_birth": "1970-03-14"}
    result = scored({**BOB, **born}, {**robert, **born}, SMITHS)
    assert level(result, "names") == "fuzzy"
    assert result.is_candidate, result.explanation()
    assert not scored(
        {**BOB, **born}, {**robert, "first_name": "Ronald", **born}, SMITHS
    ).is_candidate
    mistyped = scored({**BOB, "first_name": "Bobyb", **born}, {**robert, **born}, SMITHS)
    assert mistyped.is_candidate, mistyped.explanation()  # "Bobby" with a slip


def test_namesakes_of_a_common_name_born_on_other_days_are_not_candidates() -> None:
    one = {"first_name": "John", "last_name": "Smith", "email": "john.smith@example.org"}
    other = {**one, "email": "johnsmith@example.com", "nationality": "GB"}
    result = scored(
        {**one, "date_of_birth": "1961-05-02"}, {**other, "date_of_birth": "1984-11-23"}, SMITHS
    )
    assert not result.is_candidate, result.explanation()


def test_alike_addresses_of_namesakes_are_no_evidence_but_one_local_part_is() -> None:
    one = {"first_name": "Jose", "last_name": "Rodriguez", "email": "jrodriguez7894@gmail.com"}
    namesake = {**one, "email": "jrodriguez9142@gmail.com"}
    moved = {**one, "email": "j.rodriguez7894@yahoo.es"}
    assert level(scored(namesake, one, SMITHS), "email") == "disagree"
    assert level(scored(moved, one, SMITHS), "email") == "same_local_part"


def test_a_heavier_typo_in_a_long_name_still_matches_loosely() -> None:
    typed = {**ADA, "last_name": "Lovleacee", "email": "ada@other.org"}
    result = scored(typed, ADA, SMALL)
    assert level(result, "names") == "fuzzy"
    assert result.is_candidate, result.explanation()


def test_a_space_typed_inside_a_name_still_matches() -> None:
    jack = {"first_name": "Jack", "last_name": "Matthews", "email": "jm@example.org"}
    born = {"date_of_birth": "1968-11-19"}
    spaced = {**jack, "first_name": "Ja ck", "email": "jack@example.com"}
    result = scored({**spaced, **born}, {**jack, **born}, SMALL)
    assert level(result, "names") == "exact"
    assert result.is_candidate, result.explanation()


def test_a_changed_surname_with_the_same_given_name_and_birth_date_can_still_be_one() -> None:
    married = {**ADA, "last_name": "King", "email": "ada.king@example.com", "phone": None}
    result = scored(married, {**ADA, "phone": None}, SMALL)
    assert level(result, "names") == "partial"
    assert result.is_candidate, result.explanation()


def test_blocking_keys_meet_for_typos_swaps_and_new_addresses() -> None:
    keys = blocking_keys(forms_of(ADA))
    for variant in (
        {"first_name": "Adaa", "email": "ada@other.org", "phone": None, "document_number": None},
        {"first_name": "Lovelace", "last_name": "Ada", "email": "x@y.org", "phone": None},
        {"date_of_birth": "1985-10-12", "email": "x@y.org", "last_name": "Lovelase"},
    ):
        assert keys & blocking_keys(forms_of({**ADA, **variant})), variant


def test_huge_blocks_are_skipped_and_a_lone_name_token_sooner() -> None:
    assert informative("n:ada lovelace", BLOCK_CAP)
    assert not informative("n:maria garcia", BLOCK_CAP + 1)
    assert not informative("t:garcia", NAME_BLOCK_CAP + 1)
    assert not informative("e:ada@example.org", 0)  # no one there: nothing to read
