"""The labelled people the duplicate detector is measured on, and the measure itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from math import comb
from pathlib import Path

import pytest
from screening_people import CORRUPTIONS, TRAITS, Labelled, generate, scores, truth_pairs
from screening_quality import spread

from domain.registration.person import PersonalDetails, normalised_email
from entrypoints.http.registration.participant_schemas import ParticipantRegisterSchema

TODAY = datetime.now(UTC).date()
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "screening_people.py"


@pytest.fixture(scope="module")
def people() -> list[Labelled]:
    return generate(3000, seed=11)


def _by_trait(records: list[Labelled], trait: str) -> dict[str, list[Labelled]]:
    out: dict[str, list[Labelled]] = defaultdict(list)
    for labelled in records:
        if trait in labelled.kinds:
            out[labelled.entity].append(labelled)
    return out


def _corrupted(labelled: Labelled) -> bool:
    return bool(set(labelled.kinds) & set(CORRUPTIONS))


def _subscriber_digits(phone: str | None) -> str:
    """The last seven digits, which every way of writing one number ends with."""
    return "".join(c for c in phone or "" if c.isdigit())[-7:]


def test_the_same_seed_gives_the_same_records_whatever_the_hash_seed() -> None:
    env = {**os.environ, "PYTHONHASHSEED": "1"}  # this process hashes strings otherwise
    command = [sys.executable, str(SCRIPT), "--entities", "300", "--seed", "5"]
    written = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    assert written == "".join(r.to_json() + "\n" for r in generate(300, seed=5))
    assert written != "".join(r.to_json() + "\n" for r in generate(300, seed=6))
    lines = [json.loads(line) for line in written.splitlines()]
    assert {tuple(sorted(line)) for line in lines} == {("entity", "kinds", "record")}


def test_every_record_passes_the_registration_schema_and_rules(people: list[Labelled]) -> None:
    schema = ParticipantRegisterSchema()
    for labelled in people:
        loaded = schema.load(labelled.record)
        loaded.pop("category", None)
        PersonalDetails.checked(TODAY, **loaded)
        assert set(labelled.record) == set(loaded)


def test_truth_pairs_are_exactly_the_pairs_of_records_of_one_person(
    people: list[Labelled],
) -> None:
    pairs = truth_pairs(people)
    sizes = Counter(labelled.entity for labelled in people)
    assert len(pairs) == sum(comb(n, 2) for n in sizes.values())
    for pair in pairs:
        a, b = sorted(pair)
        assert people[a].entity == people[b].entity
    assert max(sizes.values()) == 4
    assert len(pairs) > 500
    duplicated = sum(1 for n in sizes.values() if n > 1)
    assert 0.25 < duplicated / len(sizes) < 0.45


def test_every_corruption_and_every_kind_of_hard_negative_appears() -> None:
    records = generate(3000, seed=11)
    seen = Counter(kind for labelled in records for kind in labelled.kinds)
    assert {kind: seen[kind] for kind in (*CORRUPTIONS, *TRAITS) if seen[kind] < 10} == {}


def test_a_first_registration_is_clean_and_a_later_one_names_its_corruptions(
    people: list[Labelled],
) -> None:
    by_entity: dict[str, list[Labelled]] = defaultdict(list)
    for labelled in people:
        by_entity[labelled.entity].append(labelled)
    for records in by_entity.values():
        corrupted = [r for r in records if _corrupted(r)]
        assert len(records) - len(corrupted) >= 1
        assert len(corrupted) == len(records) - 1


def test_twins_share_surname_birth_date_phone_and_mail_domain_but_are_two_people(
    people: list[Labelled],
) -> None:
    twins = _by_trait(people, "twin")
    families: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    for entity, records in twins.items():
        clean = next(r.record for r in records if not _corrupted(r))
        domain = (clean["email"] or "").split("@")[1]
        families[(clean["date_of_birth"], domain)].add(entity)
        assert clean["phone"] is not None
    pairs = [entities for entities in families.values() if len(entities) >= 2]
    assert len(pairs) >= 10


def test_many_distinct_people_share_a_very_common_name(people: list[Labelled]) -> None:
    namesakes = _by_trait(people, "common_name")
    names: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    for entity, records in namesakes.items():
        first = records[0].record
        names[(first["first_name"], first["last_name"])].add(entity)
    assert max(len(entities) for entities in names.values()) >= 5


def test_people_with_one_name_give_it_as_either_name_unless_left_out() -> None:
    def one_named(records: list[Labelled]) -> list[Labelled]:
        return [r for r in records if not r.record["first_name"] or not r.record["last_name"]]

    assert one_named(generate(1000, seed=3, one_name=False)) == []
    found = one_named(generate(1000, seed=3))
    assert all(r.record["first_name"] or r.record["last_name"] for r in found)
    assert all("one_name" in r.kinds for r in found)
    assert {r.record["first_name"] is None for r in found} == {True, False}


def test_a_transliterated_record_writes_the_same_name_in_another_script(
    people: list[Labelled],
) -> None:
    by_entity: dict[str, list[Labelled]] = defaultdict(list)
    for labelled in people:
        by_entity[labelled.entity].append(labelled)
    changed = 0
    for labelled in people:
        if "transliteration" not in labelled.kinds:
            continue
        first = next(r for r in by_entity[labelled.entity] if not _corrupted(r))
        names = (labelled.record["first_name"] or "") + (labelled.record["last_name"] or "")
        before = (first.record["first_name"] or "") + (first.record["last_name"] or "")
        changed += names.isascii() != before.isascii()
    assert changed >= 20


def test_a_phone_format_variant_is_the_same_number(people: list[Labelled]) -> None:
    by_entity: dict[str, list[Labelled]] = defaultdict(list)
    for labelled in people:
        by_entity[labelled.entity].append(labelled)
    for labelled in people:
        if "phone_format" in labelled.kinds:
            clean = next(r for r in by_entity[labelled.entity] if not _corrupted(r))
            assert labelled.record["phone"] != clean.record["phone"]
            assert _subscriber_digits(labelled.record["phone"]) == _subscriber_digits(
                clean.record["phone"]
            )


def test_scores_count_pairs_found_missed_and_wrongly_found() -> None:
    truth = {frozenset({0, 1}), frozenset({0, 2}), frozenset({1, 2}), frozenset({3, 4})}
    predicted = [frozenset({1, 0}), frozenset({0, 1}), frozenset({3, 4}), frozenset({5, 6})]
    result = scores(predicted, truth)
    assert (result.true_positives, result.false_positives, result.false_negatives) == (2, 1, 2)
    assert result.precision == pytest.approx(2 / 3)
    assert result.recall == pytest.approx(1 / 2)
    assert result.f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))
    perfect = scores(truth, truth)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    assert scores([], truth).f1 == 0.0


def test_the_quality_run_spreads_records_so_no_event_gets_one_email_twice() -> None:
    records = generate(300, seed=2)
    twice = records[0]
    shouting = {**twice.record, "email": (twice.record["email"] or "").upper()}
    records += [twice, Labelled(twice.entity, shouting, ())]
    where = spread(records, seed=2)
    seen: set[tuple[int, str]] = set()
    for event, labelled in zip(where, records, strict=True):
        key = (event, normalised_email(labelled.record["email"] or ""))
        assert key not in seen
        seen.add(key)
    assert len(set(where)) >= 4
