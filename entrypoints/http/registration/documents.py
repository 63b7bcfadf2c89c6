"""The registration API's answers: from an aggregate (commands) or a view row (queries)."""

from __future__ import annotations

from typing import Any

from adapters.registration.rows import EventRow
from domain.registration.managed_event import ManagedEvent
from domain.registration.participant import Participant
from entrypoints.http.registration.event_schemas import (
    EventPageSchema,
    EventSchema,
    WorkflowDocumentSchema,
)
from entrypoints.http.registration.participant_schemas import (
    EventCountsSchema,
    ParticipantPageSchema,
    ParticipantSchema,
    QueuePageSchema,
)

# Built once: a marshmallow schema is costly to build and safe to share.
EVENT_SCHEMA = EventSchema()
EVENT_PAGE_SCHEMA = EventPageSchema()
EVENT_COUNTS_SCHEMA = EventCountsSchema()
WORKFLOW_DOCUMENT_SCHEMA = WorkflowDocumentSchema()
PARTICIPANT_SCHEMA = ParticipantSchema()
PARTICIPANT_PAGE_SCHEMA = ParticipantPageSchema()
QUEUE_PAGE_SCHEMA = QueuePageSchema()


def event_document(event: ManagedEvent) -> dict[str, Any]:
    """A managed event as a command leaves it (a query dumps its EventRow as it is)."""
    document: dict[str, Any] = EVENT_SCHEMA.dump(
        {
            "id": event.id,
            "name": event.name,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "time_zone": event.time_zone,
            "venue": event.venue,
            "country": event.country,
            "capacity": event.capacity,
            "categories": event.categories,
            "registration": event.registration,
            "workflow_version": event.workflow_version,
            "version": event.version,
            "created_at": event.created_on,
            "updated_at": event.modified_on,
        }
    )
    return document


def workflow_document(
    source: ManagedEvent | EventRow, published: tuple[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A workflow version (the one new registrations follow unless given), and the event's."""
    # An event keeps every version's definition; the view keeps the current one.
    workflow = source.workflows[-1] if isinstance(source, ManagedEvent) else source.workflow
    number = source.workflow_version
    if published is not None:
        number, workflow = published
    document: dict[str, Any] = WORKFLOW_DOCUMENT_SCHEMA.dump(
        {
            "event_id": source.id,
            "workflow_version": number,
            "workflow": workflow,
            "version": source.version,
        }
    )
    return document


def participant_document(participant: Participant) -> dict[str, Any]:
    """A participant as a command leaves it: details, status and every step from its run."""
    run = participant.run
    document: dict[str, Any] = PARTICIPANT_SCHEMA.dump(
        {
            **participant.details.to_record(as_dates=True),
            "full_name": participant.details.full_name,
            "id": participant.id,
            "event_id": participant.event_id,
            "category": participant.category,
            "status": participant.status.value,
            "workflow_version": participant.workflow_version,
            "active_steps": list(run.active_steps),
            "reason": participant.reason,
            "survivor_id": participant.survivor_id,
            "held_by": participant.held_by,
            "blocked_by": participant.blocked_by,
            "blocked_reason": participant.blocked_reason,
            "waitlist_entry_id": participant.waitlist_entry,
            "version": participant.version,
            "registered_at": participant.created_on,
            "updated_at": participant.modified_on,
            "steps": sorted(run.steps.values(), key=lambda s: (s.order, s.step_id)),
            "branches": sorted(run.branches.values(), key=lambda b: (b.fork, b.head)),
        }
    )
    return document
