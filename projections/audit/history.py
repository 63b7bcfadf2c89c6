"""The auditor's history: one entry per domain event of every application, payload excluded.

Payloads stay in the event store, where they may be encrypted at rest; the history
indexes who did what to which aggregate, when, and where the domain event stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import DomainEvent, DomainEventProtocol

from domain.shared.application import Position
from domain.shared.cause import meta_of
from projections.projector import Projector


@dataclass(frozen=True)
class HistoryEntry:
    """Where a domain event stands, what it is, and who caused it; never its payload."""

    application: str
    position: int
    tenant_id: UUID | None
    aggregate_id: UUID
    aggregate_type: str
    version: int
    event_type: str  # the class name within its aggregate, e.g. "ApiKey.Rotated"
    # The full topic it was stored under, e.g. "domain.platform.apikey:ApiKey.Rotated";
    # one stored before its class moved keeps the name it had then.
    topic: str
    occurred_at: datetime
    actor: str | None
    correlation_id: str | None
    causation_id: str | None


class HistoryView(Protocol):
    """Where the history projector writes."""

    def recorded(self, entry: HistoryEntry) -> None: ...


def entry_of(
    position: Position, topic: str, domain_event: DomainEventProtocol[Any]
) -> HistoryEntry:
    """The history entry of a domain event read at a position, stored under a topic."""
    if not isinstance(domain_event, DomainEvent):
        raise TypeError(f"not a recorded domain event: {domain_event!r}")
    cls = type(domain_event)
    event_type = cls.__qualname__
    # Event classes are nested in their aggregate: "ApiKey.Rotated" belongs to "ApiKey".
    aggregate_type = event_type.rpartition(".")[0] or event_type
    meta = meta_of(domain_event)
    tenant_id = meta.get("tenant_id")
    return HistoryEntry(
        application=position.application,
        position=position.notification_id,
        tenant_id=UUID(tenant_id) if tenant_id else None,
        aggregate_id=domain_event.originator_id,
        aggregate_type=aggregate_type,
        version=domain_event.originator_version,
        event_type=event_type,
        topic=topic,
        occurred_at=domain_event.timestamp,
        actor=meta.get("actor"),
        correlation_id=meta.get("correlation_id"),
        causation_id=meta.get("causation_id"),
    )


class HistoryProjector(Projector[HistoryView]):
    name = "history"
    version = 2  # 2: indexes for paging each log in position order
    all_events = True

    def __init__(self, upstream: tuple[str, ...]) -> None:
        # Every application of every context, as the wiring list names them.
        self.upstream = upstream

    def project_recorded(
        self,
        position: Position,
        topic: str,
        domain_event: DomainEventProtocol[Any],
        view: HistoryView,
    ) -> None:
        view.recorded(entry_of(position, topic, domain_event))

    def project(self, domain_event: DomainEventProtocol[Any], view: HistoryView) -> None:
        del domain_event, view
        # Without its position a domain event cannot be indexed: fail loudly, not silently.
        raise TypeError("the history projector needs positions: call project_recorded()")
