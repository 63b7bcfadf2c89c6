"""Each projector handler takes the domain event class it is the view change for."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import pytest

from entrypoints.wiring.contexts import CONTEXTS
from projections.projector import Projector

PROJECTORS: list[Projector[Any]] = [
    p.make(("platform", "registration")) for c in CONTEXTS for p in c.projections
]
HANDLERS = [
    (projector, event_class, handler)
    for projector in PROJECTORS
    for event_class, handler in projector.handlers.items()
]


@pytest.mark.parametrize(
    ("projector", "event_class", "handler"),
    HANDLERS,
    ids=[f"{p.name}:{c.__qualname__}" for p, c, _ in HANDLERS],
)
def test_a_handler_is_typed_with_the_class_it_handles(
    projector: Projector[Any], event_class: type, handler: Any
) -> None:
    first = list(inspect.signature(handler).parameters)[1]  # after self
    declared = typing.get_type_hints(handler)[first]

    accepted = typing.get_args(declared) or (declared,)
    assert event_class in accepted, f"{projector.name}.{handler.__name__} takes {declared}"
