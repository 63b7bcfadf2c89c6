"""Domain events are a public contract: every topic, field and type is pinned here.

The golden file holds, for every domain event class, the topic it is stored under,
the topics it was stored under before, and the payload of each class version. A
payload changed without a new class version and its upcaster, a class removed or
moved without registering its old topic: each fails here, before a history breaks.
To change the contract on purpose, edit the golden file in the same commit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import resolve_topic

from adapters.audit.event_catalogue import describe_events
from domain.shared.contract import contracts, recorded_classes
from entrypoints.wiring.context import application_classes
from entrypoints.wiring.contexts import CONTEXTS

GOLDEN = Path(__file__).with_name("domain_events.golden.json")
CATALOGUE = Path(__file__).resolve().parents[3] / "docs" / "events.md"
APPLICATIONS = application_classes(CONTEXTS)
AGGREGATES = [a for app in APPLICATIONS for a in app.aggregates]
CONTRACTS = {c.type: c for c in contracts(AGGREGATES)}
PINNED: dict[str, dict[str, Any]] = json.loads(GOLDEN.read_text())


def test_every_domain_event_class_is_pinned_and_every_pinned_class_still_exists() -> None:
    assert sorted(CONTRACTS) == sorted(PINNED)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_the_payload_of_each_class_version_is_as_pinned(name: str) -> None:
    contract, pinned = CONTRACTS[name], PINNED[name]

    assert contract.topic == pinned["topic"]
    assert [list(f) for f in contract.fields] == pinned["versions"][str(contract.class_version)]
    assert sorted(pinned["versions"]) == [str(v) for v in range(1, contract.class_version + 1)]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_a_newer_class_version_upcasts_every_older_one(name: str) -> None:
    contract = CONTRACTS[name]
    cls = resolve_topic(contract.topic)

    for version in range(1, contract.class_version):
        assert callable(getattr(cls, f"upcast_v{version}_v{version + 1}", None))


@pytest.mark.parametrize("name", sorted(PINNED))
def test_every_topic_a_class_was_ever_stored_under_still_resolves_to_it(name: str) -> None:
    contract, pinned = CONTRACTS[name], PINNED[name]
    cls = resolve_topic(contract.topic)

    for topic in [pinned["topic"], *pinned["earlier_topics"]]:
        assert resolve_topic(topic) is cls
    assert set(pinned["earlier_topics"]) <= set(contract.earlier_topics)


def test_every_domain_event_class_says_what_it_records() -> None:
    undocumented = [name for name, c in CONTRACTS.items() if not c.doc]

    assert undocumented == []


def test_each_aggregate_declares_its_domain_events_in_its_own_body() -> None:
    for aggregate in AGGREGATES:
        for cls in recorded_classes(aggregate):
            assert cls.__qualname__.startswith(f"{aggregate.__qualname__}.")


def test_the_auditors_catalogue_is_current() -> None:
    assert CATALOGUE.read_text() == describe_events(APPLICATIONS)
