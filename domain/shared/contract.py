"""The domain-event contract: every class an aggregate records, its topic and typed payload.

Auditors and analysts read domain events, so their classes are a public contract.
Each aggregate declares its domain event classes in its body, with typed fields;
this module reads them back, for the catalogue auditors get (docs/events.md) and
for the test that pins every topic, field and type.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate, DomainEvent

from domain.shared.topics import topics_of

# What every domain event carries whatever its class (the library's own fields).
ENVELOPE = ("originator_id", "originator_version", "timestamp")


@dataclass(frozen=True)
class DomainEventContract:
    """One domain event class as readers of the history see it."""

    aggregate: str
    type: str  # "ApiKey.Rotated"
    topic: str  # the topic it is stored under now
    earlier_topics: tuple[str, ...]  # topics it was stored under before a move or rename
    class_version: int
    fields: tuple[tuple[str, str], ...]  # (name, type) of its payload, in declared order
    doc: str


def recorded_classes(aggregate: type[Aggregate]) -> list[type[DomainEvent]]:
    """The domain event classes the aggregate declares, in declared order.

    The library gives every aggregate an `Event` base and a `Created` class; a
    `Created` is recorded only where no other creation class is declared.
    """
    declared = [
        (name, value)
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, DomainEvent) and name != "Event"
    ]
    creations = [n for n, v in declared if issubclass(v, Aggregate.Created)]
    return [value for name, value in declared if not (name == "Created" and len(creations) > 1)]


def contract_of(aggregate: type[Aggregate], cls: type[DomainEvent]) -> DomainEventContract:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name not in ENVELOPE]
    current, *earlier = topics_of(cls)
    doc = _declared_doc(cls)
    return DomainEventContract(
        aggregate=aggregate.__name__,
        type=cls.__qualname__,
        topic=current,
        earlier_topics=tuple(earlier),
        class_version=getattr(cls, "class_version", 1),
        fields=tuple((name, type_name(hints[name])) for name in names),
        doc=" ".join(doc.split()),
    )


def _declared_doc(cls: type) -> str:
    # The library declares each class again, as a dataclass whose docstring is its
    # signature; the docstring written in the aggregate is on the class it declared.
    for base in cls.__mro__:
        doc = base.__dict__.get("__doc__")
        if base.__qualname__ == cls.__qualname__ and doc and not doc.startswith(f"{cls.__name__}("):
            return str(doc)
    return ""


def contracts(aggregates: typing.Iterable[type[Aggregate]]) -> list[DomainEventContract]:
    """Every domain event class of these aggregates, aggregate by aggregate."""
    return [contract_of(a, cls) for a in aggregates for cls in recorded_classes(a)]


def type_name(hint: Any) -> str:
    """A payload field's type as the code writes it: `UUID | None`, `dict[str, Any]`."""
    if hint is type(None):
        return "None"
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return " | ".join(type_name(a) for a in typing.get_args(hint))
    origin = typing.get_origin(hint)
    if origin is not None:
        args = ", ".join(type_name(a) for a in typing.get_args(hint))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if hint is Any:
        return "Any"
    return getattr(hint, "__name__", str(hint))
