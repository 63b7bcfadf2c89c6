"""A projector is a table of domain event class -> view change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic

from domain.application import Position

V = TypeVar("V")
Handler = Callable[[Any, Any, Any], None]


def on(*event_classes: type[Any]) -> Callable[[Handler], Handler]:
    """Marks a projector method as the view change for these domain event classes."""

    def mark(method: Handler) -> Handler:
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
    upstream: ClassVar[tuple[str, ...]]
    _handlers: ClassVar[dict[type[Any], Handler]]
    # A projector of every domain event (the auditor's history) overrides project_recorded().
    all_events: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for base in reversed(cls.__mro__):
            for attr in vars(base).values():
                for event_class in getattr(attr, "_projects", ()):
                    cls._handlers[event_class] = attr

    @classmethod
    def topics(cls) -> list[str]:
        """The topics of the domain events this projector reacts to."""
        return sorted(get_topic(c) for c in cls._handlers)

    def project(self, domain_event: DomainEventProtocol[Any], view: V) -> None:
        """Applies one domain event to the view, if the projector cares about it."""
        handler = self._handlers.get(type(domain_event))
        if handler is not None:
            handler(self, domain_event, view)

    def project_recorded(
        self, position: Position, domain_event: DomainEventProtocol[Any], view: V
    ) -> None:
        """Applies a domain event read at a position of an upstream log (what runners call).

        Most projectors need only the domain event; one that records where each
        domain event stands (the auditor's history) overrides this.
        """
        del position
        self.project(domain_event, view)
