"""A projector is a table of domain event class -> view change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.domain import DomainEventProtocol

from domain.shared.application import Position

V = TypeVar("V")
F = TypeVar("F", bound=Callable[..., None])


def on(*event_classes: type[Any]) -> Callable[[F], F]:
    """Marks a projector method as the view change for these domain event classes.

    The method takes the domain event as the class it handles, so its body is type
    checked against the class's declared payload.
    """

    def mark(method: F) -> F:
        method.__dict__.setdefault("_projects", []).extend(event_classes)
        return method

    return mark


class Projector(Generic[V]):
    """Turns domain events of some upstream applications into changes of one view.

    Subclasses name the projection, give its version (a new version rebuilds the
    view from the history) and the upstream applications it reads.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    upstream: tuple[str, ...]
    handlers: ClassVar[dict[type[Any], Callable[..., None]]]
    # A projector of every domain event (the auditor's history) overrides project_recorded().
    all_events: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {}
        for base in reversed(cls.__mro__):
            for attr in vars(base).values():
                for event_class in getattr(attr, "_projects", ()):
                    cls.handlers[event_class] = attr

    def handles(self, event_class: type[Any]) -> bool:
        """Whether domain events of this class change the view."""
        return self.all_events or event_class in self.handlers

    def project(self, domain_event: DomainEventProtocol[Any], view: V) -> None:
        """Applies one domain event to the view, if the projector cares about it."""
        handler = self.handlers.get(type(domain_event))
        if handler is not None:
            handler(self, domain_event, view)

    def project_recorded(
        self, position: Position, topic: str, domain_event: DomainEventProtocol[Any], view: V
    ) -> None:
        """Applies a domain event read at a position of an upstream log (what runners call).

        `topic` is the one it was stored under, which may be an earlier name of its
        class. Most projectors need only the domain event; one that records where
        each domain event stands (the auditor's history) overrides this.
        """
        del position, topic
        self.project(domain_event, view)
